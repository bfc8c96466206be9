"""Administration: accounts and sign-in, the directory of people and organisations, the calendar."""
