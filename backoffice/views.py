"""Generic views that every list page is configured from.

``ObjectListView`` is a list page: search, filters and sort (a django-filter FilterSet bound
to the query string), a django-tables2 table whose columns the user may choose, forgiving
pages, the bulk actions the user may run and the export button. ``ObjectExportView``
sends the same rows as CSV or a workbook, and ``BulkActionView`` is one bulk action:
ticked rows, a confirmation page naming them, one service call, a message, and back to the
list as it was.
"""

import itertools
import tempfile

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import DetailView, TemplateView
from django.views.generic.detail import BaseDetailView, SingleObjectMixin

from customers import scope
from customers.models import Customer
from jobs.running import run_again, start

from . import audit, paging
from .exports import BYTE_ORDER_MARK, ExportFormat, write_export_file
from .filters import AuditEventFilterSet
from .forms import ThrottledPasswordChangeForm
from .middleware import for_api, refused
from .models import AuditEvent, Export, TablePreference
from .money import format_money
from .paging import KeysetPaginator, bounded_count, narrowed, narrowed_if_few
from .services import save_recorded
from .tables import AuditEventTable, ExportTable, ObjectTable
from .tasks import task_waits_for_worker, waiting_state, write_export


def list_url_to_return_to(request, list_url_name):
    """The ``next`` of the request when it is the list named ``list_url_name`` (with any
    search, filters, sort and page), else that list plain: nothing else is followed."""
    list_url = reverse(list_url_name)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if (
        url_has_allowed_host_and_scheme(next_url, allowed_hosts=None)
        and next_url.split("?")[0] == list_url
    ):
        return next_url
    return list_url


class ObjectListView(PermissionRequiredMixin, TemplateView):
    """A list page, as configuration.

    Set ``queryset``, ``table_class``, ``permission_required``, ``title`` and, where the
    page has them, ``filterset_class``, ``bulk_actions`` (``BulkActionView`` subclasses),
    ``export_url_name`` (the CSV) with ``export_permission`` and ``export_formats`` (the
    other files it offers: {ExportFormat: URL name}), ``create_url_name`` with
    ``create_label`` and ``create_permission`` (the button at the top right), and
    ``breadcrumbs`` ((label, URL name) pairs above the title). ``context_object_name`` names
    the page's rows in the context; ``get_tiles()`` gives the counts shown above the list.
    """

    template_name = "generic/object_list.html"
    queryset = None
    filterset_class = None
    table_class = None
    bulk_actions = ()
    export_url_name = None
    export_permission = None
    export_formats = {}
    create_url_name = None
    create_label = ""
    create_permission = None
    breadcrumbs = ()
    title = ""
    context_object_name = "objects"
    paginate_by = 50

    def get_queryset(self):
        if self.queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a queryset.")
        return self.queryset.all()

    def get_filterset_kwargs(self):
        return {"data": self.request.GET, "queryset": self.get_queryset(), "request": self.request}

    def get_filterset(self):
        if self.filterset_class is None:
            return None
        return self.filterset_class(**self.get_filterset_kwargs())

    def get_filtered_queryset(self):
        """The rows the query string asks for: all pages, in the chosen order."""
        self.filterset = self.get_filterset()
        if self.filterset is None:
            return self.get_queryset()
        if not self.filterset.is_valid():
            return self.get_queryset().none()
        return self.filterset.qs

    def get(self, request, *args, **kwargs):
        queryset = self.get_filtered_queryset()
        count, on_demand = self.known_count(), self.counted_on_demand()
        if count is None and on_demand:
            limit = paging.SEARCH_COUNT_LIMIT
            count, queryset = narrowed(queryset, narrow_limit=limit, count_limit=limit)
        elif count is None:
            count, queryset = narrowed(queryset)
        paginator = KeysetPaginator(
            self.table_class.list_queryset(queryset), self.paginate_by, count
        )
        page = paginator.page(request.GET)
        table = self.get_table(page.rows)
        context = self.get_context_data(
            table=table,
            filter=self.filterset,
            result_count=count,
            may_count_further=on_demand and not count.exact,
            page_obj=page,
            **{self.context_object_name: page.rows},
        )
        return self.render_to_response(context)

    def counted_on_demand(self):
        """Whether the rows are counted only as far as ``SEARCH_COUNT_LIMIT``: a search's,
        until its count is asked for (``count=1``)."""
        searching = bool(self.request.GET.get("q", "").strip())
        return searching and not self.request.GET.get("count")

    def known_count(self):
        """The list's count when it is known without counting rows (a ``ResultCount``),
        else None: the rows are then counted up to ``paging.COUNT_LIMIT``."""
        return None

    def get_table(self, rows):
        table = self.table_class(
            rows,
            columns=self.chosen_columns(),
            current_sort=getattr(self.filterset, "current_sort", ""),
            return_to=self.request.get_full_path(),
        )
        table.allowed_row_actions = [
            (label, url_name, method == "post")
            for label, url_name, permission, method in (
                (*action, "get")[:4] for action in table.row_actions
            )
            if self.request.user.has_perm(permission)
        ]
        return table

    def chosen_columns(self):
        return (
            TablePreference.objects.filter(
                user=self.request.user, table=self.table_class.preference_key
            )
            .values_list("columns", flat=True)
            .first()
        )

    def get_breadcrumbs(self):
        """(label, URL) pairs above the title."""
        return [(label, reverse(url_name)) for label, url_name in self.breadcrumbs]

    def get_tiles(self):
        """Counts above the list, each a link to the list they count: dicts of ``label``,
        ``count``, ``url`` and ``active`` (the page shows that list now)."""
        return []

    def get_context_data(self, **kwargs):
        user = self.request.user
        model_meta = self.get_queryset().model._meta
        may_export = self.export_url_name and user.has_perm(self.export_permission)
        defaults = {
            "title": self.title,
            "verbose_name": model_meta.verbose_name,
            "verbose_name_plural": model_meta.verbose_name_plural,
            "breadcrumbs": self.get_breadcrumbs(),
            "bulk_actions": [action for action in self.bulk_actions if action.allowed_for(user)],
            "export_url": reverse(self.export_url_name) if may_export else None,
            "other_exports": [
                (file_format.label, reverse(url_name))
                for file_format, url_name in (self.export_formats.items() if may_export else ())
            ],
            "create_url": (
                reverse(self.create_url_name)
                if self.create_url_name and user.has_perm(self.create_permission)
                else None
            ),
            "create_label": self.create_label,
            "tiles": self.get_tiles(),
        }
        return super().get_context_data(**{**defaults, **kwargs})


class ObjectExportView(PermissionRequiredMixin, View):
    """The rows of ``list_view`` as a file of ``file_format``: the same search, filters and
    sort, all pages, with the columns of the list's table.

    Up to the format's ``stream_limit`` rows go straight to the browser. Beyond that, a
    page offers to write the file in the background (and back to ``list_url_name``); a POST
    (from there, or from the list's "Export in the background") starts the job and goes to
    the export's page.
    """

    list_view = None
    list_url_name = None
    file_format = ExportFormat.CSV
    filename = "export-%Y%m%d-%H%M"  # the format adds its extension

    def lister(self):
        lister = self.list_view()
        lister.setup(self.request, *self.args, **self.kwargs)
        return lister

    def get(self, request, *args, **kwargs):
        lister = self.lister()
        queryset = lister.get_filtered_queryset()
        limit = self.file_format.stream_limit
        count = bounded_count(queryset, limit=limit)
        if not count.exact:
            list_url = f"{reverse(self.list_url_name)}?{request.GET.urlencode()}"
            return TemplateResponse(
                request,
                "generic/export_confirm.html",
                {"title": lister.title, "limit": f"{limit:,}", "list_url": list_url},
            )
        queryset = narrowed_if_few(queryset)
        audit.record_export(
            user=request.user,
            title=lister.title,
            query=request.GET.urlencode(),
            rows=count.value,
            file_format=self.file_format,
        )
        if self.file_format == ExportFormat.XLSX:
            scratch = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
            for _ in write_export_file(self.file_format, lister.table_class, queryset, scratch):
                pass  # the workbook is written whole before its first byte can be sent
            scratch.seek(0)
            return FileResponse(
                scratch,
                as_attachment=True,
                filename=self.get_filename(),
                content_type=self.file_format.content_type,
            )
        lines = lister.table_class.csv_lines(queryset)
        if self.file_format == ExportFormat.CSV_FOR_EXCEL:
            lines = itertools.chain([BYTE_ORDER_MARK], lines)
        return StreamingHttpResponse(
            in_blocks(lines),
            content_type=self.file_format.content_type,
            headers={"Content-Disposition": f'attachment; filename="{self.get_filename()}"'},
        )

    @transaction.atomic
    def post(self, request, *args, **kwargs):
        """Start an export, unless this person has one being written: one at a time each,
        so that a burst of clicks does not queue files ahead of everyone else's jobs. The
        person's row is locked, so that two clicks at once are one after the other."""
        get_user_model().objects.select_for_update().only("pk").get(pk=request.user.pk)
        if running := Export.objects.running_for(request.user).first():
            messages.info(
                request,
                f"Your export of {running.title} is still waiting for a worker or being "
                "written: ask for another once it is ready.",
            )
            return redirect(running)
        lister = self.lister()
        export = Export.objects.create(
            title=lister.title,
            list_view=f"{self.list_view.__module__}.{self.list_view.__qualname__}",
            query=request.GET.urlencode(),
            session={
                key: value for key, value in request.session.items() if not key.startswith("_")
            },
            filename=self.get_filename(),
            file_format=self.file_format,
            created_by=request.user,
        )
        start(write_export, export, kind="Export")
        return redirect(export)

    def get_filename(self):
        return f"{timezone.localtime().strftime(self.filename)}.{self.file_format.extension}"


def in_blocks(lines, size=64 * 1024):
    """Lines joined into blocks of about ``size`` characters: one write to the client per
    block instead of one per line (a million lines would be a million writes)."""
    block, length = [], 0
    for line in lines:
        block.append(line)
        length += len(line)
        if length >= size:
            yield "".join(block)
            block, length = [], 0
    if block:
        yield "".join(block)


class BulkActionView(PermissionRequiredMixin, TemplateView):
    """One bulk action on the rows ticked in a list (POSTed as ``selected`` primary keys).

    Without ``confirm`` in the POST, a confirmation page names the rows and what will happen
    (unless ``needs_confirmation`` is off); with it, ``perform`` runs the action's service
    and adds the messages. Then back to the list, with the search, filters, sort and page
    the user came from (a ``next`` that is this list's own URL).

    Set ``queryset`` (the rows the action may touch), ``permission_required``,
    ``url_name``, ``list_url_name``, ``label`` (the list's button), ``verb`` and
    ``explanation`` (the confirmation page), and implement ``perform(objects)``.
    """

    template_name = "generic/bulk_confirm.html"
    do_not_call_in_templates = True  # the list's template reads the class's attributes
    queryset = None
    url_name = None
    list_url_name = None
    label = ""
    verb = ""
    explanation = ""
    button_class = "btn-outline-danger"
    confirm_button_class = "btn-danger"
    needs_confirmation = True
    ordering = ()

    @classmethod
    def allowed_for(cls, user):
        return user.has_perm(cls.permission_required)

    @classmethod
    def url(cls):
        return reverse(cls.url_name)

    def get(self, request, *args, **kwargs):
        return redirect(self.list_url_name)

    def post(self, request, *args, **kwargs):
        objects = self.selected_objects()
        if not objects:
            plural = self.queryset.model._meta.verbose_name_plural
            messages.warning(request, f"Tick the {plural} to {self.verb.lower()} first.")
        elif self.needs_confirmation and "confirm" not in request.POST:
            return self.render_to_response(self.get_context_data(objects=objects))
        else:
            refusals = self.refuse(objects)
            for obj in objects:
                for reason in refusals.get(obj.pk, []):
                    messages.error(request, f"{obj} was not {self.done}: {reason}")
            if allowed := [obj for obj in objects if obj.pk not in refusals]:
                self.perform(allowed)
        return HttpResponseRedirect(self.return_url())

    def perform(self, objects):
        raise NotImplementedError

    def selected_objects(self):
        # Only ASCII digits: "²".isdigit() is true, but it is no primary key.
        pks = [pk for pk in self.request.POST.getlist("selected") if pk.isascii() and pk.isdigit()]
        return list(self.get_queryset().filter(pk__in=pks).order_by(*self.ordering))

    def get_queryset(self):
        return self.queryset.all()

    def return_url(self):
        """The list the user came from, with its query string; only this action's list."""
        return list_url_to_return_to(self.request, self.list_url_name)

    def describe(self, obj):
        """A second line for each object on the confirmation page."""
        return ""

    def warn(self, objects):
        """{primary key: [warnings]} shown under the objects on the confirmation page, e.g.
        what deleting them leaves behind."""
        return {}

    def refuse(self, objects):
        """{primary key: [reasons]} for the objects the action must leave alone: shown on
        the confirmation page, told in a message, never passed to ``perform``."""
        return {}

    @property
    def done(self):
        """The verb's past participle, for messages: "purged"."""
        return f"{self.verb.lower().removesuffix('e')}ed"

    def get_context_data(self, **kwargs):
        objects = kwargs["objects"]
        warnings, refusals = self.warn(objects), self.refuse(objects)
        for obj in objects:
            obj.warnings = warnings.get(obj.pk, [])
            obj.refusals = refusals.get(obj.pk, [])
        allowed = [obj for obj in objects if not obj.refusals]
        model_meta = self.queryset.model._meta
        noun = model_meta.verbose_name if len(objects) == 1 else model_meta.verbose_name_plural
        allowed_noun = (
            model_meta.verbose_name if len(allowed) == 1 else model_meta.verbose_name_plural
        )
        return super().get_context_data(
            action=self,
            rows=[(obj, self.describe(obj)) for obj in objects],
            heading=f"{self.verb} {len(objects)} {noun}?",
            button=f"{self.verb} {len(allowed)} {allowed_noun}" if allowed else "",
            next_url=self.return_url(),
            **kwargs,
        )


def unless_taken_meanwhile(form, save):
    """``save()``'s result; or None, with the form's own field error, when the database
    refused a value that must be unique because another save took it meanwhile. (Two
    people create the same membership type at once: both forms passed their uniqueness
    check, and the second insert fails.)"""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        form.validate_unique()  # sees the row the other save committed
        if not form.errors:
            raise
        return None


class ObjectFormMixin:
    """A create or edit page (with Django's ``CreateView``/``UpdateView``) on
    ``generic/object_form.html``, saved with an audit event (``services.save_recorded``),
    then back to ``list_url_name``. Set ``model``, ``form_class``, ``permission_required``,
    ``list_url_name`` and ``breadcrumbs`` ((label, URL name) pairs)."""

    template_name = "generic/object_form.html"
    list_url_name = ""
    breadcrumbs = ()
    heading = ""  # else "New <model>" or "Edit <model> “<object>”"

    def form_valid(self, form):
        created = not form.instance.pk

        def save():
            saved = save_recorded(instance=form.save(commit=False), actor=self.request.user)
            form.save_m2m()
            return saved

        self.object = unless_taken_meanwhile(form, save)
        if self.object is None:
            return self.form_invalid(form)
        noun = str(self.model._meta.verbose_name).capitalize()
        verb = "created" if created else "saved"
        messages.success(self.request, f"{noun} “{self.object}” was {verb}.")
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return reverse(self.list_url_name)

    def get_context_data(self, **kwargs):
        noun = self.model._meta.verbose_name
        editing = getattr(self, "object", None) is not None
        return super().get_context_data(
            heading=self.heading or (f"Edit {noun} “{self.object}”" if editing else f"New {noun}"),
            submit_label="Save" if editing else "Create",
            cancel_url=self.get_success_url(),
            form_id="object-form",
            breadcrumbs=[(label, reverse(url_name)) for label, url_name in self.breadcrumbs],
            **kwargs,
        )


def already_recorded(request, entry):
    """The answer to a money form sent a second time (``models.AlreadyRecorded``): back to
    the account, saying that the first sending recorded it."""
    messages.info(
        request,
        f"This {entry.get_kind_display().lower()} of {format_money(abs(entry.amount))} was "
        "already recorded (the form was sent twice): it is recorded once.",
    )
    return redirect(entry.account)


class LedgerEntriesMixin:
    """An account's detail view: its ledger's entries, newest first, ``entries_per_page``
    at a time (``?entries_page=``), for ``generic/includes/entries.html``. Set
    ``entries_table_class`` (a ``tables.MoneyEntryTable``)."""

    entries_table_class = None
    entries_per_page = 20

    def get_context_data(self, **kwargs):
        entries = Paginator(
            self.entries_table_class.list_queryset(self.object.entries.all()),
            self.entries_per_page,
        ).get_page(self.request.GET.get("entries_page"))
        return super().get_context_data(
            entries=entries,
            entries_table=self.entries_table_class(list(entries.object_list)),
            **kwargs,
        )


class ObjectHistoryMixin:
    """A detail view's "History" card: the object's audit events, newest first, paged."""

    history_per_page = 10
    history_columns = ("created_at", "user", "action", "summary", "changes")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(audit.history_of(self.object), self.history_per_page)
        history = paginator.get_page(self.request.GET.get("history_page"))
        context["history"] = history
        context["history_table"] = AuditEventTable(
            list(history.object_list), columns=self.history_columns
        )
        return context


class TableColumnsView(LoginRequiredMixin, View):
    """Remember which columns a user shows in a table, or forget the choice ("reset")."""

    def post(self, request, table):
        table_class = ObjectTable.registry.get(table)
        if table_class is None:
            return HttpResponseBadRequest("Unknown table.")
        if "reset" in request.POST:
            TablePreference.objects.filter(user=request.user, table=table).delete()
            messages.success(request, "The table shows its default columns again.")
        else:
            columns = table_class.clean_column_choice(request.POST.getlist("columns"))
            TablePreference.objects.update_or_create(
                user=request.user, table=table, defaults={"columns": columns}
            )
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
            next_url = reverse("home")
        return HttpResponseRedirect(next_url)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing one's password, in the app's layout (Django's own page is the admin's,
    whose links lead staff to an admin they may not open)."""

    form_class = ThrottledPasswordChangeForm
    template_name = "generic/object_form.html"
    extra_context = {
        "heading": "Change your password",
        "submit_label": "Change password",
        "cancel_url": reverse_lazy("customers:list"),
        "form_id": "password-form",
    }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


def csrf_failure(request, reason=""):
    """Django's CSRF refusal (a form sent without its token, or from another site) in the
    app's look, instead of Django's plain page."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """The 500 page, rendered without context processors: the database may be what failed.
    The registers' API answers in JSON."""
    if for_api(request):
        return refused(
            "Something went wrong on the server; it was logged.", status=500,
            code="server_error", request_id=getattr(request, "request_id", ""),
        )  # fmt: skip
    template = loader.get_template("500.html")
    context = {"request_id": getattr(request, "request_id", "")}
    return HttpResponseServerError(template.render(context))


class AuditEventListView(ObjectListView):
    """Every change to the data, newest first: who, what, when, and the values before and
    after."""

    permission_required = "backoffice.view_auditevent"
    queryset = AuditEvent.objects.select_related("user", "content_type")
    filterset_class = AuditEventFilterSet
    table_class = AuditEventTable
    title = "Audit trail"
    context_object_name = "events"

    def get_queryset(self):
        """A person who sees their own stores' customers only sees the events about those
        customers and their accounts (``customers.scope``)."""
        events = super().get_queryset()
        user = self.request.user
        if scope.is_chain_wide(user):
            return events
        about_a_customer = Q(content_type=ContentType.objects.get_for_model(Customer))
        return events.filter(
            (about_a_customer & scope.in_held_store(user, "object_id"))
            | Q(scope.in_held_store(user, "about_customer"))
        )


class OwnExportMixin(PermissionRequiredMixin):
    """An export is its requester's alone: anyone else is told it does not exist."""

    permission_required = "backoffice.view_export"

    def get_queryset(self):
        return Export.objects.for_actor(self.request.user)


def waits_for_worker(export):
    job = export.job
    return export.status == Export.Status.QUEUED and job and task_waits_for_worker(job.task_id)


class ExportListView(OwnExportMixin, ObjectListView):
    table_class = ExportTable
    title = "Your exports"
    context_object_name = "exports"


class ExportDetailView(OwnExportMixin, DetailView):
    """An export's page: its progress while the job runs, then the download link."""

    context_object_name = "export"
    template_name = "generic/export_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **waiting_state(waits_for_worker(self.object)),
            breadcrumbs=[("Your exports", reverse("export_list"))],
            **kwargs,
        )


def job_progress_response(job, *, waiting_for_worker):
    """A background job's state (an import, an export) as JSON, for its page to show
    without a reload (static/js/job_progress.js)."""
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "running": job.is_running,
            **waiting_state(waiting_for_worker),
        }
    )


class ExportProgressView(OwnExportMixin, BaseDetailView):
    def render_to_response(self, context):
        return job_progress_response(self.object, waiting_for_worker=waits_for_worker(self.object))


class ExportRunAgainView(OwnExportMixin, SingleObjectMixin, View):
    """A stopped export, written again by a new job (its page offers it)."""

    def post(self, request, *args, **kwargs):
        export = self.get_object()
        if export.status == Export.Status.FAILED and (job := export.job):
            with transaction.atomic():
                run_again(job)
            messages.success(request, "The export was started again.")
        return redirect(export)


class ExportDownloadView(OwnExportMixin, BaseDetailView):
    def render_to_response(self, context):
        if not self.object.is_ready:
            raise Http404("This export is not ready, or its file was removed.")
        audit.record_export(
            user=self.request.user,
            title=self.object.title,
            query=self.object.query,
            rows=self.object.rows_done,
            file_format=ExportFormat(self.object.file_format),
        )
        return FileResponse(
            self.object.file.open("rb"),
            as_attachment=True,
            filename=self.object.filename,
            content_type="text/csv; charset=utf-8",
        )
