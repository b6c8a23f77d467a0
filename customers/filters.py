import re

import django_filters
import phonenumbers
from django import forms
from django.conf import settings
from django.db import connections
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.functional import cached_property

from backoffice import paging
from backoffice.filters import BootstrapFilterSet
from loyalty import codes as loyalty_codes
from loyalty.models import LoyaltyAccount, LoyaltyCard
from stores.models import Store

from . import scope, tallies
from .models import HAS_EMAIL, Consent, Customer
from .search_index import TEXT_COLUMNS, InSearchIndex, fts_phrase

PHONE_PUNCTUATION = re.compile(r"[\s().\-]")
PHONE_FRAGMENT = re.compile(r"\+?\d{2,}")
PHONE_MIN_DIGITS = 7  # shorter digits are a fragment of a number (or a customer number)
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
CODE_SHAPE = re.compile(r"(?=.*\d)[\w-]{4,64}")  # e.g. C-10042: letters, digits, dashes
DEFAULT_PHONE_REGION = settings.PHONENUMBER_DEFAULT_REGION

ALL_STORES = "all"
SEARCH_MAX_WORDS = 8
SEARCH_MAX_LENGTH = 200
LOYALTY_CHOICES = [("enrolled", "Enrolled"), ("not_enrolled", "Not enrolled")]
# Bookmarks and scripts may say yes/no or true/false; the form speaks enrolled/not_enrolled.
LOYALTY_SYNONYMS = {
    "yes": "enrolled",
    "true": "enrolled",
    "1": "enrolled",
    "no": "not_enrolled",
    "false": "not_enrolled",
    "0": "not_enrolled",
}
SORT_COLUMNS = {
    "name": ("sort_name", "first_name", "pk"),
    "email": ("email", "pk"),
    "created": ("created_at", "pk"),
    "balance": ("loyalty_points", "pk"),
}


class CustomerFilterSet(BootstrapFilterSet):
    """Search, filters and sort of the customer list, all read from the query string.

    With no ``store`` in the query string the list is limited to the store chosen in the top
    bar, unless a search is made: a returning customer from another store must be found.
    ``store=all`` lifts the limit explicitly; ``store=<code>`` picks another store.
    """

    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "placeholder": "Name, email, phone or ID",
            }
        ),
    )
    type = django_filters.ChoiceFilter(
        field_name="customer_type",
        label="Type",
        choices=Customer.Type.choices,
        empty_label="All types",
    )
    store = django_filters.ChoiceFilter(method="filter_store", label="Store", empty_label=None)
    loyalty = django_filters.ChoiceFilter(
        method="filter_loyalty",
        label="Loyalty",
        choices=LOYALTY_CHOICES,
        empty_label="Any loyalty",
    )
    email_consent = django_filters.ChoiceFilter(
        label="Marketing by e-mail", choices=Consent.choices, empty_label="Any"
    )
    sms_consent = django_filters.ChoiceFilter(
        label="Marketing by SMS", choices=Consent.choices, empty_label="Any"
    )
    created_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="Created from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[(key, key) for column in SORT_COLUMNS for key in (column, f"-{column}")],
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Customer
        fields = []

    def __init__(
        self, data=None, *args, current_store=None, stores=None, chain_wide=True, **kwargs
    ):
        """``stores`` are those the person works in (all, by default); ``chain_wide`` is
        false for a person who sees their own stores' customers only: "All stores" is then
        no choice of theirs."""
        data = data.copy() if data is not None else {}
        if data.get("loyalty"):
            data["loyalty"] = LOYALTY_SYNONYMS.get(data["loyalty"].lower(), data["loyalty"])
        if data.get("store"):
            data["store"] = canonical_store_code(data["store"])
            if data["store"] == ALL_STORES and (current_store is None or not chain_wide):
                data["store"] = ""  # all stores (or all of theirs) is what empty means then
        if data.get("sort") and data["sort"].removeprefix("-") not in SORT_COLUMNS:
            del data["sort"]  # an unknown sort falls back to the default one
        super().__init__(data, *args, **kwargs)
        self.current_store = current_store
        self.stores = Store.objects.all() if stores is None else stores
        self.chain_wide = chain_wide
        self.filters["store"].extra["choices"] = self.store_choices()

    def store_choices(self):
        stores = list(self.stores.order_by("name").values_list("code", "name"))
        if not self.chain_wide:
            return [("", "Current store"), *stores]
        if self.current_store is None:
            return [("", "All stores"), *stores]
        # Left empty, the filter follows the top bar; "All stores" must then be explicit. Named
        # as the top bar's own field, the option fits a phone's half-width select whatever
        # the store is called ("Downtown (top bar)" was cut); the heading names the store.
        return [
            ("", "Current store"),
            (ALL_STORES, "All stores"),
            *stores,
        ]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.follows_top_bar and not self.form.cleaned_data.get("q"):
            queryset = self.in_store(queryset, self.current_store)
        return queryset

    def in_store(self, queryset, store):
        """The customers of ``store``; for a person who holds that one store alone, the
        queryset given is those already (``customers.scope``), so it is not asked twice."""
        if not self.chain_wide and list(self.stores.values_list("pk", flat=True)) == [store.pk]:
            return queryset
        return in_store(queryset, store)

    def search(self, queryset, name, value):
        """Every word must match part of a name, the company, email, phone or customer ID.

        Phones are stored as E.164 (+14155550123), so the punctuation people type in a phone
        number is dropped before comparing. The words are capped (``search_words``) so that
        one request cannot ask for an unbounded query, and all go into one WHERE clause.
        """
        words = search_words(value)
        term = " ".join(words)
        # All digits may be a customer number (shown apart: ``numbered_customer``) or the
        # end of a phone number: it is searched as a word, not looked up alone.
        if customer_number(term) is None and (exact := self.exact_match(term)) is not None:
            named = queryset.filter(exact)
            if named.exists():
                return named
            if not self.chain_wide and Customer.objects.filter(exact).exists():
                return named  # another store's customer: shown apart (found_in_other_stores)
        matches_every_word = Q()
        for term in words:
            matches_every_word &= self.term_matches(term, connections[queryset.db].vendor)
        return queryset.filter(matches_every_word)

    def exact_match(self, term):
        """The customers a whole email, phone number, loyalty card code or customer ID
        number names, by an indexed equality; None when ``term`` has none of those shapes.
        A search for exactly one of those shows that customer only, found at once; when
        none has it, the search looks for it inside the fields as for any other text."""
        if EMAIL_SHAPE.fullmatch(term):
            return Q(Exact(Lower("email"), Lower(Value(term)))) & HAS_EMAIL
        digits = PHONE_PUNCTUATION.sub("", term)
        if PHONE_FRAGMENT.fullmatch(digits) and len(digits) >= PHONE_MIN_DIGITS:
            phone = parse_phone(digits, self.phone_region)
            return Q(phone=phone) if phone else None
        card = loyalty_codes.normalise(term)
        if loyalty_codes.is_valid(card) and (holder := card_holder(card)):
            return Q(pk=holder)
        if CODE_SHAPE.fullmatch(term):
            return Q(id_number=term)
        return None

    @property
    def phone_region(self):
        store = self.current_store
        return store.country.code if store and store.country else DEFAULT_PHONE_REGION

    def term_matches(self, term, vendor):
        """Customers with ``term`` in a searched field: through SQLite's FTS5 trigram index
        for terms of 3 characters or more (it cannot look up shorter ones), else by
        ``icontains``, which PostgreSQL serves from its trigram indexes."""
        digits = PHONE_PUNCTUATION.sub("", term)
        looks_like_phone = PHONE_FRAGMENT.fullmatch(digits)
        if vendor == "sqlite" and len(term) >= 3 and (not looks_like_phone or len(digits) >= 3):
            expression = f"{{{' '.join(TEXT_COLUMNS)}}} : {fts_phrase(term)}"
            if looks_like_phone:
                expression += f" OR phone : {fts_phrase(digits)}"
            return InSearchIndex(expression)
        matches = (
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(company_name__icontains=term)
            | Q(email__icontains=term)
            | Q(id_number__icontains=term)
        )
        if looks_like_phone:
            matches |= Q(phone__contains=digits)
        return matches

    def filter_store(self, queryset, name, value):
        if value == ALL_STORES:
            return queryset
        return self.in_store(queryset, self.chosen_store)

    def filter_loyalty(self, queryset, name, value):
        """An EXISTS per customer: both answers are common, so the list's index finds a
        page's worth after a few rows (a join made SQLite read every account first)."""
        enrolled = Exists(LoyaltyAccount.objects.filter(customer=OuterRef("pk"), enrolled=True))
        return queryset.filter(enrolled if value == "enrolled" else ~enrolled)

    def sort_by(self, queryset, name, value):
        """Order by the stored sort keys, each served by an index: business customers by
        company, customers outside the loyalty programme last in both directions."""
        descending = value.startswith("-")
        return queryset.order_by(
            *(
                F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
                for field in SORT_COLUMNS[value.removeprefix("-")]
            )
        )

    @property
    def current_sort(self):
        """The sort in effect, e.g. "-created"."""
        return self.form.cleaned_data.get("sort") or "-created"

    @property
    def follows_top_bar(self):
        return self.current_store is not None and not self.form.cleaned_data.get("store")

    @cached_property
    def chosen_store(self):
        """The store this list is about: the one in the query string, else the top bar's.

        None stands for the whole chain. A search without a store still reaches every store,
        but the chosen store is what the tiles count.
        """
        code = self.form.cleaned_data.get("store")
        if code == ALL_STORES:
            return None
        if code:
            return Store.objects.get(code=code)
        return self.current_store

    @property
    def searching_whole_chain(self):
        return self.follows_top_bar and bool(self.form.cleaned_data.get("q"))


def found_in_other_stores(query, *, user, current_store=None, limit=5):
    """The live customers outside ``user``'s stores that ``query`` names by an exact key: a
    whole email, phone number (read in ``current_store``'s country), loyalty card code or
    ID number. Never by customer number: numbers are given in order, so anyone could walk
    them. Empty for a person who sees every store's customers (their search finds them)."""
    if scope.is_chain_wide(user):
        return []
    search = CustomerFilterSet(queryset=Customer.objects.none(), current_store=current_store)
    term = " ".join(search_words(query))
    exact = search.exact_match(term) if term else None
    if exact is None:
        return []
    others = Customer.objects.filter(exact).exclude(scope.in_held_store(user))
    return list(others.order_by("pk")[:limit])


def numbered_customer(query, customers):
    """The customer of ``customers`` whose number ``query`` is, found by its primary key;
    the list shows them above the customers whose phone or other fields hold the digits."""
    number = customer_number(" ".join(search_words(query)))
    return None if number is None else customers.filter(pk=number).first()


def customer_number(term):
    """The customer number that ``term`` may be (all digits), or None."""
    if term.isascii() and term.isdigit() and len(term) < 10:
        return int(term)
    return None


def in_store(queryset, store):
    """The customers of ``store``, in the form that reads fastest for its size.

    A store holding many customers is an EXISTS per customer: the list's sort index finds a
    page's worth after a few rows. A small store is a join from its own rows: walking the
    sort index would read most of the chain to find its few customers. Which one, the
    store's tally says (one indexed read).
    """
    if tallies.tile_counts(store)["total"] > paging.COUNT_LIMIT:
        membership = Customer.stores.through.objects.filter(
            customer_id=OuterRef("pk"), store_id=store.pk
        )
        return queryset.filter(Exists(membership))
    return queryset.filter(stores=store)


def parse_phone(text, region):
    """``text`` as a stored (E.164) phone number, read as national in ``region``; None when
    it is not a valid number."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def search_words(value):
    """The words of a search that are used: the first ``SEARCH_MAX_WORDS`` of its first
    ``SEARCH_MAX_LENGTH`` characters."""
    return value[:SEARCH_MAX_LENGTH].split()[:SEARCH_MAX_WORDS]


def account_search(value, *, number_field):
    """Accounts (memberships, house accounts: thousands, not millions) whose number starts
    with ``value``, or whose customer's name or email holds one of its words."""
    matches = Q(**{f"{number_field}__istartswith": value.strip()})
    for word in value.split()[:SEARCH_MAX_WORDS]:
        matches |= (
            Q(customer__first_name__icontains=word)
            | Q(customer__last_name__icontains=word)
            | Q(customer__email__icontains=word)
        )
    return matches


def card_holder(code):
    """The primary key of the customer holding the loyalty card ``code``, or None. Looked up
    on its own, through the unique index on codes: joined into the list's query, the planner
    could walk every customer when the cards table's statistics are stale."""
    return LoyaltyCard.objects.filter(code=code).values_list("customer_id", flat=True).first()


def canonical_store_code(value):
    """A store's code as stored, from any case of it or from the store's primary key."""
    if value.lower() == ALL_STORES:
        return ALL_STORES
    store = Store.objects.filter(code__iexact=value).first()
    if store is None and value.isascii() and value.isdigit():
        store = Store.objects.filter(pk=value).first()
    return store.code if store else value
