"""Local accounts' pages (blueprint `account`, made in webapp/account_pages.py): sign-up and e-mail verification,
password reset and change, sign-out everywhere, the account overview and staff invitations."""
