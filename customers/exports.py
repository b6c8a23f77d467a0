"""The customer CSV export, shared by the list's Export button and ``export_customers``.

Its columns are the customer table's (``customers.tables.CustomerTable``), in its order.
"""

from .tables import CustomerTable

HEADER = CustomerTable.csv_header()


def csv_lines(queryset):
    return CustomerTable.csv_lines(queryset)
