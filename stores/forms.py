from django import forms

from .models import Store


class StoreChoiceForm(forms.Form):
    store = forms.ModelChoiceField(
        queryset=Store.objects.active(), required=False, empty_label="All stores"
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
