from django import forms

from customers import scope

from .actors import stores_in_scope
from .current import choosable_stores
from .models import Store, StorePreference


class StoreChoiceForm(forms.Form):
    """The top bar's choice among the stores the person works in; empty is "All stores",
    for those who see every store's customers."""

    store = forms.ModelChoiceField(
        queryset=Store.objects.none(), required=False, empty_label="All stores"
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = choosable_stores(user)
        self.fields["store"].required = not scope.is_chain_wide(user)


class StorePreferenceForm(forms.ModelForm):
    class Meta:
        model = StorePreference
        fields = ["default_store"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["default_store"]
        field.queryset = choosable_stores(self.instance.user)
        field.empty_label = "None: the store I chose last"


class StaffStoresForm(forms.Form):
    """The stores a staff member holds; none is allowed (they then see no customer unless
    they may see every store's). ``actor`` is offered the open stores it holds itself."""

    stores = forms.ModelMultipleChoiceField(
        queryset=Store.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Stores held",
        help_text="Without “Can see the customers of every store”, this person sees the "
        "customers of these stores only.",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stores"].queryset = stores_in_scope(actor).active()
