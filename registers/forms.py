from django import forms

from stores.actors import stores_in_scope

from .models import Register


class RegisterForm(forms.ModelForm):
    store = forms.ModelChoiceField(None, empty_label="Choose a store")

    class Meta:
        model = Register
        fields = ["name", "store"]
        help_texts = {"name": "As the store calls the till, e.g. Front desk."}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores_in_scope(actor).active()

    def clean(self):
        cleaned_data = super().clean()
        self.refuse_a_taken_name()
        return cleaned_data

    def validate_unique(self):
        """Also after a save refused because another took the name meanwhile."""
        super().validate_unique()
        if "name" not in self.errors:
            self.refuse_a_taken_name()

    def refuse_a_taken_name(self):
        name, store = self.cleaned_data.get("name"), self.cleaned_data.get("store")
        if name and store and Register.objects.filter(store=store, name__iexact=name).exists():
            self.add_error("name", f"{store} already has a register named {name}.")
