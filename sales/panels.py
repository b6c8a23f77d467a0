"""What a customer's page shows of their sales (registered in ``apps.py``)."""

LATEST_SALES = 5


def customer_panel(customer):
    """The customer's visits and latest sales, for their page; None before their first."""
    if not customer.sale_count and not customer.last_sale_at:
        return None
    sales = customer.sales.select_related("store", "register")[:LATEST_SALES]
    return {"customer": customer, "sales": list(sales)}
