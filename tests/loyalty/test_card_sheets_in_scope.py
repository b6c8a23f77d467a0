"""A card sheet prints the codes not handed out yet, and those of the customers the
person may see (issue 31, High 4): a code is an exact key that finds its customer in any
store, so a Riverside manager printing a batch must not get the codes of Downtown's card
holders. Proved through the sheet, its PDF and the batch list, and through
``LoyaltyCard.objects.for_actor`` and ``LoyaltyCardBatch.objects.for_actor``."""

import pytest
from django.urls import reverse

from backoffice.audit import Actor
from loyalty import views
from loyalty.cards import shown_code
from loyalty.models import LoyaltyCard, LoyaltyCardBatch
from loyalty.services import CardError, card_assign, card_batch_generate
from tests.factories import make_customer
from tests.loyalty.test_card_sheets import codes_of, decoded_barcodes

pytestmark = pytest.mark.django_db

OPS = Actor("manage.py generate_customer_codes")


def give(code, store):
    card_assign(customer=make_customer(stores=[store]), code=code, actor=OPS)


@pytest.fixture
def batch(riverside, downtown):
    """Four codes: the first handed out at Riverside, the second at Downtown."""
    batch = card_batch_generate(size=4, actor=OPS)
    riverside_code, downtown_code, _, _ = codes_of(batch)
    give(riverside_code, riverside)
    give(downtown_code, downtown)
    return batch


def printed(response):
    return [label["code"] for page in response.context["sheet"] for label in page]


class TestTheSheet:
    def test_a_one_store_manager_gets_no_code_of_another_stores_card_holder(
        self, rhea_client, batch
    ):
        riverside_code, downtown_code, *blank = codes_of(batch)

        response = rhea_client.get(reverse("loyalty:sheet", args=[batch.pk]))

        assert printed(response) == [riverside_code, *blank]
        assert downtown_code not in response.text
        assert shown_code(downtown_code) not in response.text
        assert f"Batch {batch.pk}: 3 codes" in response.text
        assert "1 code handed out to customers of other stores is not printed." in response.text

    def test_the_pdf_leaves_out_the_same_code(self, rhea_client, batch, tmp_path):
        riverside_code, _, *blank = codes_of(batch)

        response = rhea_client.get(reverse("loyalty:sheet_pdf", args=[batch.pk]))

        _, decoded = decoded_barcodes(response.content, tmp_path)
        assert sorted(decoded) == sorted([riverside_code, *blank])

    def test_a_chain_wide_manager_prints_every_code(self, manager_client, batch):
        response = manager_client.get(reverse("loyalty:sheet", args=[batch.pk]))

        assert printed(response) == codes_of(batch)
        assert "not printed" not in response.text

    def test_parts_are_cut_from_the_codes_printed(self, rhea_client, batch, monkeypatch):
        monkeypatch.setattr(views, "SHEET_PART_SIZE", 3)

        response = rhea_client.get(reverse("loyalty:sheet", args=[batch.pk]))

        assert len(printed(response)) == 3
        assert response.context["parts"] is None

    def test_a_batch_handed_out_wholly_at_other_stores_does_not_exist(self, rhea_client, downtown):
        elsewhere = card_batch_generate(size=1, actor=OPS)
        give(codes_of(elsewhere)[0], downtown)

        for name in ("loyalty:sheet", "loyalty:sheet_pdf"):
            assert rhea_client.get(reverse(name, args=[elsewhere.pk])).status_code == 404
        assert f"Batch {elsewhere.pk}" not in rhea_client.get(reverse("loyalty:batches")).text


def test_the_batch_list_counts_the_codes_each_manager_may_print(client, rhea, manager, batch):
    counts = {}
    for person in (rhea, manager):
        client.force_login(person)
        (row,) = client.get(reverse("loyalty:batches")).context["batches"]
        counts[person.username] = (row.printable, row.used)

    assert counts == {"rhea": (3, 1), "manager": (4, 2)}


class TestTheQuerysets:
    def test_a_one_store_manager_sees_blank_cards_and_their_customers_cards(self, rhea, batch):
        riverside_code, _, *blank = codes_of(batch)

        cards = LoyaltyCard.objects.for_actor(rhea)

        assert sorted(cards.values_list("code", flat=True)) == sorted([riverside_code, *blank])

    def test_a_batch_is_seen_while_it_holds_a_card_the_actor_may_see(
        self, rhea, manager, batch, downtown
    ):
        elsewhere = card_batch_generate(size=1, actor=OPS)
        give(codes_of(elsewhere)[0], downtown)

        assert list(LoyaltyCardBatch.objects.for_actor(rhea)) == [batch]
        assert set(LoyaltyCardBatch.objects.for_actor(manager)) == {batch, elsewhere}
        assert LoyaltyCard.objects.for_actor(manager).count() == 5


def test_a_card_already_given_at_another_store_does_not_name_its_holder(rhea, riverside, downtown):
    batch = card_batch_generate(size=1, actor=OPS)
    code = batch.cards.get().code
    card_assign(
        customer=make_customer(first_name="Dora", last_name="Downtown", stores=[downtown]),
        code=code, actor=OPS,
    )  # fmt: skip

    with pytest.raises(CardError) as refused:
        card_assign(customer=make_customer(stores=[riverside]), code=code, actor=rhea)

    assert str(refused.value) == f"The card {code} is already used by another customer."
