from functools import partial

import phonenumbers
from crispy_forms.layout import Column, Field, Row
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import get_language
from django_countries import countries
from phonenumber_field.formfields import PhoneNumberField as PhoneNumberFormField
from phonenumber_field.phonenumber import PhoneNumber
from PIL import Image

from backoffice.forms import ORIGINAL_PREFIX, section_helper
from loyalty.forms import LoyaltyForm
from loyalty.models import LoyaltyAccount
from stores.models import Store

from . import scope
from .consent import CONSENT_SYNONYMS
from .models import Consent, Customer
from .photos import PendingPhoto, PendingPhotoRefused, reencode_photo

ACCEPTED_PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
# A small file can declare a huge canvas (a "decompression bomb"); decoding 40 megapixels
# takes about 160 MB, which is as far as a customer photo needs to go.
MAX_PHOTO_PIXELS = 40_000_000
BUSINESS_NEEDS_COMPANY_NAME = "A business customer needs a company name."


class DateInput(forms.DateInput):
    """The browser's own date picker; it submits and expects YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PreparedChoices(BaseChoiceIterator):
    """Choices already in the shape Django normalises them to, which it takes as they are.

    A plain list is normalised again by the field and by its widget, and copied, for every
    form; with 250 countries that was most of the time an import spends checking a row.
    """

    def __init__(self, choices):
        self.choices = tuple(choices)

    def __iter__(self):
        return iter(self.choices)

    def __deepcopy__(self, memo):
        return self  # never changed in place


# Choices with their blank named, per (field, language): the country lists are long, and
# an import builds the form once per row.
named_choices = {}


def name_blank_choice(field, label, name):
    """Replace Django's "---------" with words that say what choosing nothing means."""
    key = (name, label, get_language())
    if key not in named_choices:
        named_choices[key] = PreparedChoices(
            [("", label), *((value, str(text)) for value, text in field.choices if value != "")]
        )
    field.choices = named_choices[key]


class PhotoInput(forms.ClearableFileInput):
    """Shows the current photo itself (served to staff only), not its stored file name,
    with Replace and Remove; ``photo_url`` is set by the form. After a refused save, the
    photo chosen is shown instead (``pending``, a ``PendingPhoto``), carried to the next
    try by its token, with a box to drop it."""

    template_name = "customers/widgets/photo_input.html"
    photo_url = None
    pending = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["photo_url"] = self.photo_url
        context["widget"]["pending"] = self.pending
        context["widget"]["pending_name"] = self.pending_name(name)
        context["widget"]["pending_drop_name"] = self.pending_drop_name(name)
        return context

    @staticmethod
    def pending_name(name):
        return f"{name}-pending"

    @staticmethod
    def pending_drop_name(name):
        return f"{name}-pending-drop"

    def build_attrs(self, base_attrs, extra_attrs=None):
        """The input describes itself by the field's hint and errors, as the other fields do."""
        attrs = super().build_attrs(base_attrs, extra_attrs)
        field_id = attrs.get("id", "")
        attrs.setdefault("aria-describedby", f"{field_id}_helptext {field_id}_error")
        return attrs


class InternationalPhoneWidget(forms.TextInput):
    """Shows a stored number as every page shows it (+1 512-555-0199), whatever the region
    national numbers are read in."""

    input_type = "tel"

    def format_value(self, value):
        if isinstance(value, PhoneNumber) and value.is_valid():
            return value.as_international
        return super().format_value(value)


def national_phone_region(*, store_countries=(), country="", current_store_region=None):
    """(country code, why) of the country a phone number without + and a country code is
    read in: the ticked stores' country (``store_countries``) when they agree, else the
    address's country, else the top bar's store's, else ``PHONE_REGION``; (None, "") when
    none is known."""
    ticked = set(store_countries)
    if len(ticked) == 1 and (only := ticked.pop()):
        return only, "the country of the ticked stores"
    if country in countries:
        return country, "the country of the address"
    if current_store_region:
        return current_store_region, "the country of the store chosen in the top bar"
    if settings.PHONENUMBER_DEFAULT_REGION:
        return settings.PHONENUMBER_DEFAULT_REGION, "the PHONE_REGION setting"
    return None, ""


def phone_field(region, why=""):
    """The phone field: a number without a country code is read in ``region``, for the
    reason ``why``; the hint gives an example in the format expected, and a number that
    does not read says which country it was read in, and how to give another."""
    another = "a number of another country starts with + and its code, e.g. +44 20 7946 0958"
    if region:
        example = phonenumbers.example_number(region)
        national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
        name = countries.name(region)
        hint = f"e.g. {national}, read as a number of {name} ({why}); {another}."
        invalid = (
            f"Enter a valid phone number. Without + and a country code it is read as a number "
            f"of {name} ({why}); {another}."
        )
    else:
        hint = "International format, starting with + and the country code, e.g. +1 212-555-2368."
        invalid = (
            "Enter a valid phone number starting with + and the country code, e.g. "
            "+1 212-555-2368: no country is known to read a national number in (tick a store "
            "that has one, or choose the country of the address)."
        )
    return PhoneNumberFormField(
        region=region,
        required=False,
        label="Phone",
        help_text=hint,
        error_messages={"invalid": invalid},
        widget=InternationalPhoneWidget(attrs={"autocomplete": "off"}),
    )


class ConsentField(forms.TypedChoiceField):
    """A consent state, also as a file or a till may say it: yes, no, true, Subscribed..."""

    def to_python(self, value):
        value = super().to_python(value)
        return CONSENT_SYNONYMS.get(value.strip().lower(), value)


class GeneralForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Not required: left out (a file without the column, a till not sending it), unchanged.
    email_consent = ConsentField(
        label="Marketing by e-mail",
        choices=Consent.choices,
        required=False,
        help_text="Only subscribed customers get marketing email.",
    )
    sms_consent = ConsentField(
        label="Marketing by SMS",
        choices=Consent.choices,
        required=False,
        help_text="Only subscribed customers get marketing text messages.",
    )
    confirm_type_change = forms.BooleanField(
        label="Yes, drop the details that do not apply to the new type", required=False
    )

    class Meta:
        model = Customer
        fields = [
            "customer_type",
            "company_name",
            "tax_id",
            "website",
            "first_name",
            "last_name",
            "email",
            "phone",
            "email_consent",
            "sms_consent",
            "gender",
            "date_of_birth",
            "nationality",
            "anniversary",
            "gate_code",
            "id_number",
            "notes",
            "photo",
        ]
        field_classes = {"website": partial(forms.URLField, assume_scheme="https")}
        widgets = {
            "customer_type": forms.RadioSelect,
            "date_of_birth": DateInput,
            "anniversary": DateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "photo": PhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }
        error_messages = {
            "photo": {
                "invalid_image": (
                    "Upload a JPEG, PNG or WebP photo. This file is not one of those (HEIC, "
                    "AVIF and SVG are not accepted): save or export it as JPEG first."
                )
            }
        }
        help_texts = {
            "photo": "JPEG, PNG or WebP, at most 5 MB.",
            "company_name": "Required for a business customer.",
            "website": "e.g. https://example.com",
        }

    def __init__(self, *args, phone_region=None, phone_region_why="", user=None, **kwargs):
        """``phone_region`` is the country national phone numbers are read in (None: none,
        they need a country code), ``phone_region_why`` the reason; both come from
        ``national_phone_region``. ``user``, the person filling the form in, may carry a
        photo chosen on a refused save to the next (``keep_chosen_photo``)."""
        super().__init__(*args, **kwargs)
        self.user = user
        # The photo kept from a refused save that the posted token names, once checked;
        # whether it is the one to save, or was dropped.
        self.pending_photo = None
        self.photo_from_pending = self.pending_dropped = False
        self.fields["phone"] = phone_field(phone_region, phone_region_why)
        self.fields["version"].initial = self.instance.version
        # A form without the photo (CustomerFieldsForm: the API's, an import's) has none to show.
        if "photo" in self.fields and self.instance.pk and self.instance.photo:
            self.fields["photo"].widget.photo_url = reverse(
                "customers:photo", args=[self.instance.pk]
            )
        # Optional in the POST: tools that predate customer types create personal customers.
        self.fields["customer_type"].required = False
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        name_blank_choice(self.fields["gender"], "Not specified", "gender")
        name_blank_choice(self.fields["nationality"], "Not specified", "nationality")
        today = timezone.localdate().isoformat()
        for name in ("date_of_birth", "anniversary"):
            self.fields[name].widget.attrs["max"] = today
        if self.is_bound:
            # What does not apply to the submitted type is hidden on the page and ignored.
            for name in self.submitted_type_probe.fields_not_applying():
                self.fields[name].disabled = True

    @cached_property
    def helper(self):
        """Built when the form is rendered (an import checks rows with it and never does)."""
        return section_helper(
            "version",
            Field("customer_type", wrapper_class="customer-type-choice"),
            Row(
                Column("company_name", css_class="col-md-6"),
                Column("tax_id", css_class="col-md-3"),
                Column("website", css_class="col-md-3"),
                css_class="business-only",
            ),
            Row(
                Column("first_name", css_class="col-md-6"),
                Column("last_name", css_class="col-md-6"),
            ),
            Row(Column("email", css_class="col-md-6"), Column("phone", css_class="col-md-6")),
            Row(
                Column("email_consent", css_class="col-md-6"),
                Column("sms_consent", css_class="col-md-6"),
            ),
            Row(
                Column("gender", css_class="col-md-4"),
                Column("date_of_birth", css_class="col-md-4"),
                Column("nationality", css_class="col-md-4"),
                css_class="personal-only",
            ),
            Row(
                Column("anniversary", css_class="col-md-4"),
                Column("gate_code", css_class="col-md-4"),
                Column("id_number", css_class="col-md-4"),
            ),
            Field("notes"),
            Field("photo", template="customers/widgets/photo_field.html"),
        )

    @property
    def submitted_type_probe(self):
        """An unsaved customer of the submitted type, to ask which fields apply to it."""
        submitted = self.data.get("customer_type") or self.instance.customer_type
        if submitted not in Customer.Type.values:
            submitted = self.instance.customer_type
        return Customer(customer_type=submitted)

    def clean_customer_type(self):
        return self.cleaned_data["customer_type"] or self.instance.customer_type

    def clean_email_consent(self):
        return self.cleaned_data["email_consent"] or self.instance.email_consent

    def clean_sms_consent(self):
        return self.cleaned_data["sms_consent"] or self.instance.sms_consent

    def clean(self):
        cleaned_data = super().clean()
        customer_type = cleaned_data.get("customer_type")
        if customer_type is None:
            return cleaned_data
        probe = Customer(customer_type=customer_type)
        if (
            probe.is_business
            and not cleaned_data.get("company_name")
            and "company_name" not in self.errors  # refused as required already
        ):
            self.add_error("company_name", BUSINESS_NEEDS_COMPANY_NAME)
        not_applying = probe.fields_not_applying()
        if self.instance.pk and customer_type != self.initial["customer_type"]:
            dropped = [
                str(self.fields[name].label) for name in not_applying if self.initial.get(name)
            ]
            if dropped and not cleaned_data.get("confirm_type_change"):
                self.add_error(
                    "customer_type",
                    f"Changing to {probe.get_customer_type_display()} drops what this customer "
                    f"has in {', '.join(dropped)}. Tick the box below and press Update to "
                    "confirm, or change the type back.",
                )
                self.helper.layout.insert(2, Field("confirm_type_change"))
        for name in not_applying:
            cleaned_data[name] = None if isinstance(self.fields[name], forms.DateField) else ""
        return cleaned_data

    def clean_email(self):
        email = self.cleaned_data["email"]
        if error := self.duplicate_email_error(email):
            raise error
        return email

    def email_holder(self, email):
        """The live customer other than this one who has ``email``, or None."""
        return Customer.objects.with_email(email).exclude(pk=self.instance.pk).first()

    def duplicate_email_error(self, email):
        """The error for an email address that another live customer has, or None.

        Also used when the database refuses a save that raced another one to the address.
        """
        existing = self.email_holder(email)
        if existing is None:
            return None
        return forms.ValidationError(
            format_html(
                'This email address already belongs to <a href="{}">{}</a>.',
                reverse("customers:edit", args=[existing.pk]),
                existing,
            ),
            code="duplicate_email",
        )

    def clean_photo(self):
        """Check the upload is a real JPEG, PNG or WebP image of at most 5 MB.

        ``forms.ImageField`` has already had Pillow open and verify the file; this narrows
        the formats and caps the size, which Django does not do on its own. Without an
        upload, the photo kept from a refused save is taken, if the token posted names one
        this person chose (and did not drop).
        """
        photo = self.cleaned_data.get("photo")
        image = getattr(photo, "image", None)  # set only on a fresh upload
        if image is None:
            kept = self.pending_photo_posted(fresh_upload=False)
            return kept.as_upload() if kept else photo
        self.pending_photo_posted(fresh_upload=True)
        if photo.size > settings.CUSTOMER_PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                "This photo is %(size)s; the limit is %(limit)s.",
                code="photo_too_large",
                params={
                    "size": filesizeformat(photo.size),
                    "limit": filesizeformat(settings.CUSTOMER_PHOTO_MAX_BYTES),
                },
            )
        if image.format not in ACCEPTED_PHOTO_FORMATS:
            raise forms.ValidationError(
                "Upload a JPEG, PNG or WebP photo; this file is %(format)s.",
                code="photo_format",
                params={"format": image.format},
            )
        if image.width * image.height > MAX_PHOTO_PIXELS:
            raise forms.ValidationError(
                "This image is %(width)s×%(height)s pixels; use one of at most 40 megapixels.",
                code="photo_dimensions",
                params={"width": image.width, "height": image.height},
            )
        try:
            return reencode_photo(photo)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            # verify() reads the structure only; decoding the pixels finds the rest.
            raise forms.ValidationError(
                "This image is damaged or incomplete; please upload it again.",
                code="photo_damaged",
            ) from None

    def pending_photo_posted(self, *, fresh_upload):
        """The kept photo to save, or None. A token that names none this person chose is
        refused, unless another photo was chosen or it was dropped; a valid one is
        remembered (``pending_photo``), so that its file goes once it is no longer needed."""
        if self.user is None:
            return None
        widget, name = self.fields["photo"].widget, self.add_prefix("photo")
        token = self.data.get(widget.pending_name(name))
        self.pending_dropped = bool(self.data.get(widget.pending_drop_name(name)))
        if not token:
            return None
        try:
            self.pending_photo = PendingPhoto.from_token(token, user=self.user)
        except PendingPhotoRefused as refused:
            if fresh_upload or self.pending_dropped:
                return None
            raise forms.ValidationError(str(refused), code="pending_photo") from None
        if fresh_upload or self.pending_dropped:
            return None
        self.photo_from_pending = True
        return self.pending_photo

    def keep_chosen_photo(self):
        """The save was refused: keep the photo chosen for the next try, and show it with its
        token. A photo kept already stays kept, unless it was dropped or replaced; a new file
        that was refused leaves it as it was."""
        kept = self.pending_photo
        chosen = None
        if hasattr(self, "cleaned_data") and "photo" not in self.errors:
            chosen = self.cleaned_data.get("photo")
        if self.photo_from_pending:
            pending = kept
        elif isinstance(chosen, UploadedFile) and self.user is not None:
            pending = PendingPhoto.keep(chosen, user=self.user)
        else:
            pending = None if self.pending_dropped else kept
        if kept is not None and pending is not kept:
            kept.discard()
        self.fields["photo"].widget.pending = pending

    def photo_saved(self):
        """The customer was saved: the kept photo's file (saved, dropped or replaced) goes."""
        if self.pending_photo is not None:
            self.pending_photo.discard()


class CustomerStoreForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["stores"]
        widgets = {"stores": forms.CheckboxSelectMultiple}
        labels = {"stores": "Stores where the customer has done business"}
        help_texts = {"stores": ""}
        error_messages = {"stores": {"required": "Choose at least one store."}}

    def __init__(self, *args, user=None, **kwargs):
        """A ``user`` who sees their own stores' customers only must tick one of those: a
        customer in none of them would be out of their sight once saved."""
        super().__init__(*args, **kwargs)
        self.fields["stores"].queryset = Store.objects.active()
        self.held = None
        if user is not None and not scope.is_chain_wide(user):
            self.held = set(scope.held_store_ids(user))
        self.helper = section_helper()

    def clean_stores(self):
        stores = self.cleaned_data["stores"]
        if self.held is not None and not any(store.pk in self.held for store in stores):
            yours = ", ".join(str(store) for store in Store.objects.filter(pk__in=self.held))
            raise forms.ValidationError(
                f"Tick at least one of your stores ({yours or 'you hold none'}): the customer "
                "would otherwise be out of your sight."
            )
        return stores


class AddressForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["address_line1", "address_line2", "city", "state", "zip_code", "country"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_blank_choice(self.fields["country"], "Choose a country", "country")

    @cached_property
    def helper(self):
        return section_helper(
            Row(
                Column("address_line1", css_class="col-md-8"),
                Column("address_line2", css_class="col-md-4"),
            ),
            Row(
                Column("city", css_class="col-md-4"),
                Column("state", css_class="col-md-3"),
                Column("zip_code", css_class="col-md-2"),
                Column("country", css_class="col-md-3"),
            ),
        )


class CustomerFieldsForm(GeneralForm, AddressForm):
    """The customer form's General and Address sections as one form, without the photo:
    what a file's row (imports) or a register (the API) gives of a customer, checked by the
    same fields and clean methods as the page."""

    class Meta(GeneralForm.Meta):
        fields = [
            *(name for name in GeneralForm.Meta.fields if name != "photo"),
            *AddressForm.Meta.fields,
        ]


# Not compared with what was saved meanwhile: bookkeeping, files (a browser cannot send the
# same file again) and the type-change confirmation.
NOT_COMPARED = {"version", "photo", "confirm_type_change"}


def comparable(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return sorted(str(getattr(item, "pk", item)) for item in value)
    return str(getattr(value, "pk", value)).strip()


def posted(value):
    """A stored form value as a browser would post it (a list of strings)."""
    if value is True:
        return ["on"]
    if value is False:
        return []
    if value is None:
        return [""]
    if isinstance(value, list | tuple):
        return [str(getattr(item, "pk", item)) for item in value]
    return [str(value)]


def shown_value(field, value):
    """A stored form value as the person would recognise it: choice labels, store names."""
    if value in (None, "", []):
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    choices = {str(key): label for key, label in getattr(field, "choices", [])}
    if isinstance(value, list | tuple):
        return ", ".join(str(choices.get(comparable(item), item)) for item in value)
    return str(choices.get(comparable(value), value))


def pick(mapping, *keys):
    return {key: mapping[key] for key in keys if mapping.get(key)}


class CustomerForms:
    """The four sections of the customer page, bound, validated and rendered together.

    General, Customer Store and Address edit the same ``Customer`` instance; Loyalty edits
    its ``LoyaltyAccount``. Saving goes through ``customers.services.customer_save``.
    """

    def __init__(
        self,
        data=None,
        files=None,
        *,
        customer=None,
        new_customer_defaults=None,
        phone_region=None,
        user=None,
    ):
        """``new_customer_defaults`` may give a new customer's ``customer_type`` and
        ``stores`` to start with (the type chosen from the New menu, the current store);
        ``phone_region`` is the top bar's store's country. National phone numbers are read
        in the country of the stores ticked (as sent, or as saved), else of the address,
        else that one (``national_phone_region``). ``user`` is the person filling the
        forms in."""
        customer = customer or Customer()
        account = getattr(customer, "loyalty_account", None) if customer.pk else None
        account = account or LoyaltyAccount()
        defaults = new_customer_defaults or {}
        if data is not None:
            store_ids, country = data.getlist("stores"), data.get("country", "")
        elif customer.pk:
            store_ids, country = customer.stores.values_list("pk", flat=True), customer.country
        else:
            store_ids, country = [store.pk for store in defaults.get("stores") or []], ""
        store_ids = [pk for pk in map(str, store_ids) if pk.isascii() and pk.isdigit()]
        region, why = national_phone_region(
            store_countries=Store.objects.filter(pk__in=store_ids).values_list(
                "country", flat=True
            ),
            country=str(country),
            current_store_region=phone_region,
        )
        self.general = GeneralForm(
            data,
            files,
            instance=customer,
            initial=pick(defaults, "customer_type"),
            phone_region=region,
            phone_region_why=why,
            user=user,
        )
        # The company name is required of a business: its label is marked so (and the
        # page's script marks it when the type is switched).
        chosen_type = self.general["customer_type"].value() or customer.customer_type
        if Customer(customer_type=chosen_type).is_business:
            company_name = self.general.fields["company_name"]
            company_name.required = True
            company_name.error_messages["required"] = BUSINESS_NEEDS_COMPANY_NAME
        self.stores = CustomerStoreForm(
            data, instance=customer, initial=pick(defaults, "stores"), user=user
        )
        self.loyalty = LoyaltyForm(data, instance=account, customer=customer)
        self.address = AddressForm(data, instance=customer)

    @property
    def sections(self):
        return [
            ("General", self.general),
            ("Customer Store", self.stores),
            ("Loyalty", self.loyalty),
            ("Address", self.address),
        ]

    def compared_fields(self, saved=None):
        """(bound field, saved bound field or None) for every field a conflict is looked for
        in; ``saved`` is the same forms on the customer as stored now."""
        saved_sections = saved.sections if saved else [(None, None)] * len(self.sections)
        for (_, form), (_, saved_form) in zip(self.sections, saved_sections, strict=True):
            for name, field in form.fields.items():
                if name not in NOT_COMPARED and not isinstance(field.widget, forms.HiddenInput):
                    yield form[name], saved_form[name] if saved_form else None

    def original_values(self):
        """Hidden (name, value) pairs recording each field as it was when the page was first
        loaded, carried through re-renders: after a refused save they tell what this person
        changed from what someone else did."""
        pairs = []
        for bound_field, _ in self.compared_fields():
            key = ORIGINAL_PREFIX + bound_field.html_name
            if bound_field.form.is_bound and key in bound_field.form.data:
                values = bound_field.form.data.getlist(key)
            else:
                values = comparable(bound_field.initial)
            pairs += [(key, value) for value in (values if isinstance(values, list) else [values])]
        return pairs

    def merge_saved_meanwhile(self, saved):
        """Three-way merge of what was typed with ``saved`` (these forms, unbound, on the
        customer as stored now), against the values the page was loaded with.

        Returns (data, conflicts, taken): the POST data to show again, the labels of the
        fields both people changed (the typed value is kept, the saved one is shown beside
        it), and of those only the other person changed (their value is taken). Without the
        loaded values (a tool that posts no ``original-*``), every difference is a conflict.
        """
        data = self.general.data.copy()
        conflicts, taken = {}, []
        for bound_field, saved_field in self.compared_fields(saved):
            typed, stored_value = comparable(bound_field.value()), saved_field.value()
            stored = comparable(stored_value)
            key = ORIGINAL_PREFIX + bound_field.html_name
            original = data.getlist(key) if key in data else None
            # What is stored now is what the next save is compared with.
            data.setlist(key, stored if isinstance(stored, list) else [stored])
            if typed == stored:
                continue
            if original is not None and not isinstance(typed, list):
                original = original[0] if original else ""
            if original == typed:  # only the other person changed it: take theirs
                data.setlist(bound_field.html_name, posted(stored_value))
                taken.append(str(bound_field.label))
            elif original is None or original != stored:  # both changed it
                conflicts[bound_field.name] = stored_value
        return data, conflicts, taken

    def show_saved_values(self, conflicts, who):
        """Beside each conflicting field, what ``who`` saved meanwhile; returns the labels."""
        labels = []
        for bound_field, _ in self.compared_fields():
            name = bound_field.name
            if name in conflicts:
                bound_field.help_text = format_html(
                    '<span class="saved-meanwhile">Saved meanwhile by {}: '
                    "<strong>{}</strong></span>",
                    who,
                    shown_value(bound_field.field, conflicts[name]),
                )
                labels.append(str(bound_field.label))
        return labels

    def is_valid(self):
        # Validate every section, not only up to the first failing one, so that all the
        # errors are shown at once.
        return all([form.is_valid() for _, form in self.sections])

    def keep_chosen_photo(self):
        """The save was refused: keep the photo chosen, which a browser cannot send again."""
        self.general.keep_chosen_photo()

    @property
    def photo_kept(self):
        return self.general.fields["photo"].widget.pending

    def error_summary(self):
        """(label, field id, message) for every error, in page order, for the top summary."""
        summary = []
        for _, form in self.sections:
            for message in form.non_field_errors():
                summary.append((None, None, message))
            for name, field in form.fields.items():
                bound_field = form[name]
                # A group of checkboxes has no single input; point at its first box.
                field_id = bound_field.id_for_label or f"{bound_field.auto_id}_0"
                for message in bound_field.errors:
                    summary.append((field.label, field_id, message))
        return summary
