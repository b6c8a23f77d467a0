from django import forms

from .models import Store, StorePreference


class StoreChoiceForm(forms.Form):
    store = forms.ModelChoiceField(
        queryset=Store.objects.active(), required=False, empty_label="All stores"
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class StorePreferenceForm(forms.ModelForm):
    class Meta:
        model = StorePreference
        fields = ["default_store"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["default_store"]
        field.queryset = Store.objects.active()
        field.empty_label = "None: the store I chose last"


class StaffStoresForm(forms.Form):
    """The stores a staff member holds; none is allowed (they then see no customer unless
    they may see every store's)."""

    stores = forms.ModelMultipleChoiceField(
        queryset=Store.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Stores held",
        help_text="Without “Can see the customers of every store”, this person sees the "
        "customers of these stores only.",
    )
