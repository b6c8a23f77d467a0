"""The balance checks of every kind of account (loyalty points, memberships, house
accounts): each app registers a function proving its balances equal the sums of their
ledger entries, and ``manage.py check_balances`` runs them all."""

checks = {}  # kind of account -> function(limit) -> (accounts checked, [differences])


def register(kind, check):
    checks[kind] = check
