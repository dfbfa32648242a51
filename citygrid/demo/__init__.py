"""The fictitious demo city and its history (`manage.py seed_demo`, `manage.py demo_accounts`).

It sits on top of the domain apps: it may import any of them, and none of them imports it.
"""
