"""What other apps add about a customer, without the customers app knowing them: a card
on the customer's page (a membership, a house account) and a warning on the page that
confirms deleting customers (a balance they hold). Each app registers its own in its
``AppConfig.ready()``."""

customer_panels = []  # (template name, function(customer) -> context dict or None)
deletion_warnings = []  # function(customers) -> {customer pk: warning}


def register_panel(template_name, context):
    customer_panels.append((template_name, context))


def register_deletion_warning(warnings):
    deletion_warnings.append(warnings)


def panels_for(customer):
    """(template name, context) of each registered card that has something to show."""
    return [
        (template_name, panel)
        for template_name, context in customer_panels
        if (panel := context(customer)) is not None
    ]


def warnings_for(customers):
    """{customer pk: [warnings]} before deleting ``customers``."""
    found = {}
    for warnings in deletion_warnings:
        for pk, warning in warnings(customers).items():
            found.setdefault(pk, []).append(warning)
    return found
