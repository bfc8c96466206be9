"""E-mail: the outbox, which events send which mail, and SMTP delivery."""
