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
from .services import (
    register_create,
    register_deactivate,
    register_reactivate,
    register_release_device,
)
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


class RegistersInScopeMixin:
    """Only the registers of the stores the signed-in person holds: any other is a 404."""

    queryset = Register.objects.select_related("store")

    def get_queryset(self):
        return super().get_queryset().for_actor(self.request.user)


class RegisterListView(RegistersInScopeMixin, ObjectListView):
    permission_required = "registers.view_register"
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

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

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


class RegisterDetailView(
    PermissionRequiredMixin, RegistersInScopeMixin, ObjectHistoryMixin, DetailView
):
    permission_required = "registers.view_register"
    context_object_name = "register"
    template_name = "registers/register_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            breadcrumbs=[("Registers", reverse("registers:list"))], **kwargs
        )


class RegisterActionView(PermissionRequiredMixin, RegistersInScopeMixin, SingleObjectMixin, View):
    permission_required = "registers.change_register"
    http_method_names = ["post"]


class RegisterDeactivateView(RegisterActionView):
    """Deactivate: the register's key is refused from the next request on. A GET asks
    first (the Deactivate button on the register's page is a link to it), with no script."""

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        register = self.get_object()
        if not register.is_active:
            return redirect(register)
        return TemplateResponse(
            request,
            "registers/register_confirm_deactivate.html",
            {
                "register": register,
                "breadcrumbs": [
                    ("Registers", reverse("registers:list")),
                    (register.name, register.get_absolute_url()),
                ],
            },
        )

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


class RegisterReleaseView(RegisterActionView):
    """Release the device: the next device to use the key holds the register."""

    def post(self, request, *args, **kwargs):
        register = self.get_object()
        device = register.device
        if register_release_device(register=register, actor=request.user):
            messages.success(
                request,
                f"{register} is released from the device {device}: the next device to use "
                "its key holds it.",
            )
        else:
            messages.info(request, f"No device held {register}.")
        return redirect(register)
