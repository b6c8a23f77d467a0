from django import forms
from django.template.defaultfilters import filesizeformat

from .checking import FIELD_LABELS, FIELDS, field_named
from .models import CustomerImport
from .reading import MAX_BYTES

DATE_FORMATS = [
    ("%Y-%m-%d", "2026-12-31 (ISO, as our export writes them)"),
    ("%m/%d/%Y", "12/31/2026 (US)"),
    ("%d/%m/%Y", "31/12/2026 (UK, Europe)"),
    ("%d.%m.%Y", "31.12.2026 (Germany and others)"),
]
ACCEPTED = ".csv,.xlsx,.xls,.ods,text/csv"


class UploadForm(forms.ModelForm):
    """The file and how to read it; what the file holds is checked by the dry run."""

    upload = forms.FileField(
        label="File",
        help_text=f"CSV (UTF-8, comma or semicolon), .xlsx, .xls or .ods; at most "
        f"{filesizeformat(MAX_BYTES)}. Our own export can be imported as it is.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}),
    )
    date_format = forms.ChoiceField(choices=DATE_FORMATS, label="Dates are written as")

    class Meta:
        model = CustomerImport
        fields = ["upload", "match", "update", "encoding", "date_format", "phone_region"]
        widgets = {"match": forms.RadioSelect}
        labels = {"match": "A row is the same customer as one we have when it has the same"}

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(MAX_BYTES)}. Split it into smaller files."
            )
        return upload


class MappingForm(forms.Form):
    """Which field each column of the file fills, or none: the fields by their labels on
    the customer form, each column with its first values to tell what it holds."""

    def __init__(self, *args, header, mapping, examples=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Ignore this column"), *FIELD_LABELS.items()]
        for index, column in enumerate(header):
            guess = mapping.get(column) or field_named(column)
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=column or f"Column {index + 1} (no name)",
                choices=choices,
                required=False,
                initial=guess if guess in FIELDS else "",
            )
        self.header = header
        self.examples = [
            [row[index] for row in examples if index < len(row) and row[index]]
            for index in range(len(header))
        ]

    def columns(self):
        """(bound field, first values) for each column, for the page's table."""
        return [
            (self[f"column_{index}"], self.examples[index]) for index in range(len(self.header))
        ]

    def clean(self):
        cleaned_data = super().clean()
        chosen = [value for value in cleaned_data.values() if value]
        for value in {value for value in chosen if chosen.count(value) > 1}:
            self.add_error(None, f"Two columns fill {FIELD_LABELS[value]}: choose one.")
        return cleaned_data

    def mapping(self):
        return {
            column: self.cleaned_data[f"column_{index}"] or "-"
            for index, column in enumerate(self.header)
        }
