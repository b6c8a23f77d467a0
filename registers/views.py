from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView
from django.views.generic.detail import SingleObjectMixin

from backoffice.views import ObjectHistoryMixin, ObjectListView, unless_taken_meanwhile

from .forms import RegisterForm
from .models import Register
from .services import register_create, register_deactivate, register_reactivate
from .tables import RegisterTable

BREADCRUMBS = [("Registers", "registers:list")]


def key_page(request, register, key, *, reactivated=False):
    """The register's key, shown this once: only its hash is kept."""
    return TemplateResponse(
        request,
        "registers/register_key.html",
        {
            "register": register,
            "key": key,
            "reactivated": reactivated,
            "breadcrumbs": [("Registers", reverse("registers:list"))],
        },
    )


class RegisterListView(ObjectListView):
    permission_required = "registers.view_register"
    queryset = Register.objects.select_related("store")
    table_class = RegisterTable
    title = "Registers"
    context_object_name = "registers"
    create_url_name = "registers:create"
    create_label = "+ New Register"
    create_permission = "registers.add_register"


class RegisterCreateView(PermissionRequiredMixin, FormView):
    """+ New Register: a name and a store; then the key, once."""

    permission_required = "registers.add_register"
    form_class = RegisterForm
    template_name = "generic/object_form.html"
    extra_context = {"submit_label": "Create", "form_id": "object-form"}

    def form_valid(self, form):
        def create():
            return register_create(
                name=form.cleaned_data["name"],
                store=form.cleaned_data["store"],
                actor=self.request.user,
            )

        created = unless_taken_meanwhile(form, create)
        if created is None:
            return self.form_invalid(form)
        register, key = created
        return key_page(self.request, register, key)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading="New Register",
            breadcrumbs=[("Registers", reverse("registers:list"))],
            cancel_url=reverse("registers:list"),
            **kwargs,
        )


class RegisterDetailView(PermissionRequiredMixin, ObjectHistoryMixin, DetailView):
    permission_required = "registers.view_register"
    queryset = Register.objects.select_related("store")
    context_object_name = "register"
    template_name = "registers/register_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            breadcrumbs=[("Registers", reverse("registers:list"))], **kwargs
        )


class RegisterActionView(PermissionRequiredMixin, SingleObjectMixin, View):
    permission_required = "registers.change_register"
    queryset = Register.objects.select_related("store")
    http_method_names = ["post"]


class RegisterDeactivateView(RegisterActionView):
    """Deactivate: the register's key is refused from the next request on."""

    def post(self, request, *args, **kwargs):
        register = self.get_object()
        if register_deactivate(register=register, actor=request.user):
            messages.success(request, f"{register} is deactivated: its key is refused.")
        else:
            messages.info(request, f"{register} was already deactivated.")
        return redirect(register)


class RegisterReactivateView(RegisterActionView):
    """Reactivate with a new key, shown once; the old key never works again."""

    def post(self, request, *args, **kwargs):
        register = self.get_object()
        key = register_reactivate(register=register, actor=request.user)
        return key_page(request, register, key, reactivated=True)
