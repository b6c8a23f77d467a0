from django import forms


class EraseForm(forms.Form):
    """Erasing cannot be undone: the person confirms by typing the customer's name."""

    name = forms.CharField(label="Type the customer's name to confirm", max_length=200)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["name"].help_text = f"“{customer.display_name}”"

    def clean_name(self):
        typed = " ".join(self.cleaned_data["name"].split())
        if typed.casefold() != " ".join(self.customer.display_name.split()).casefold():
            raise forms.ValidationError(
                f"Type the name exactly as shown, “{self.customer.display_name}”, to erase them."
            )
        return typed
