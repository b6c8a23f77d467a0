"""The customer CSV export's header, which other tools read: the customer table's columns
(``customers.tables.CustomerTable``), in its order."""

from .tables import CustomerTable

HEADER = CustomerTable.csv_header()
