"""What other apps add about a customer, without the customers app knowing them: a card
on the customer's page (a membership, a house account), the money a customer holds on
their accounts (a warning before deleting them, the reason a purge is refused), and the
removal of their records when they are purged. Each app registers its own in its
``AppConfig.ready()``."""

customer_panels = []  # (template name, function(customer) -> context dict or None)
deletion_warnings = []  # function(customers) -> {customer pk: warning}
purge_handlers = []  # function(customers): removes or redacts the app's records of them


def register_panel(template_name, context):
    customer_panels.append((template_name, context))


def register_deletion_warning(warnings):
    """``warnings(customers, lock=False)`` says which of them hold or owe money on the app's
    accounts: deleting them is warned of, purging them is refused (``lock``: with their
    accounts locked until the purge's transaction ends)."""
    deletion_warnings.append(warnings)


def register_purge(handler):
    """``handler(customers)`` removes or redacts the app's records of customers being
    purged (none holding money): their accounts and ledgers, deleted explicitly since no
    foreign key into a ledger or an account cascades, or their names kept elsewhere."""
    purge_handlers.append(handler)


def panels_for(customer):
    """(template name, context) of each registered card that has something to show."""
    return [
        (template_name, panel)
        for template_name, context in customer_panels
        if (panel := context(customer)) is not None
    ]


def warnings_for(customers, *, lock=False):
    """{customer pk: [warnings]} before deleting ``customers``: the money they hold.
    ``lock``, in a purge's transaction, locks their accounts until it ends."""
    found = {}
    for warnings in deletion_warnings:
        for pk, warning in warnings(customers, lock=lock).items():
            found.setdefault(pk, []).append(warning)
    return found


def purge_related(customers):
    for handler in purge_handlers:
        handler(customers)
