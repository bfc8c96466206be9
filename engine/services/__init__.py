"""Use cases called by the web pages, the JSON API and the command line alike.

Each function works inside the caller's unit of work (a SQLAlchemy session) and never commits:
the caller commits once, so a request or job changes everything or nothing.
"""
