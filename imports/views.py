import csv
import datetime

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, FormView

from backoffice.tables import Echo
from backoffice.views import ObjectListView
from customers.tables import CustomerTable

from . import pipeline, tasks
from .checking import RowChecker
from .forms import MappingForm, UploadForm
from .models import CustomerImport
from .reading import FileProblem, open_table
from .tables import CustomerImportTable

Status = CustomerImport.Status
# Without a worker, a queued job's task stays "ready": after this, the page says so.
WORKER_WAIT = datetime.timedelta(seconds=10)
# Without these columns (named or mapped), a new customer cannot pass the form.
REQUIRED_COLUMNS = ("first_name", "last_name", "email", "stores")


def enqueue(job, task):
    """Start ``task`` for ``job`` once the job is saved for good."""

    def start():
        result = task.enqueue(job.pk)
        CustomerImport.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(start)


class ImportUploadView(PermissionRequiredMixin, FormView):
    """Import Customers: upload a file; it is checked in the background (the dry run)."""

    permission_required = "imports.add_customerimport"
    form_class = UploadForm
    template_name = "imports/upload.html"

    def form_valid(self, form):
        job = form.save(commit=False)
        upload = form.cleaned_data["upload"]
        job.name, job.created_by = upload.name[:255], self.request.user
        job.file.save(upload.name, upload, save=False)
        try:
            table = open_table(job.file.path, name=job.name, encoding=job.encoding)
        except FileProblem as problem:
            job.file.delete(save=False)
            form.add_error("upload", str(problem))
            return self.form_invalid(form)
        job.save()
        checker = RowChecker(table.header)
        named = set(checker.mapping.values())
        if checker.unknown_columns or not named.issuperset(REQUIRED_COLUMNS):
            return redirect("imports:mapping", job.pk)
        enqueue(job, tasks.check_import)
        return redirect(job)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            breadcrumbs=[("Customers", reverse("customers:list"))], **kwargs
        )


class JobMixin:
    @cached_property
    def job(self):
        return get_object_or_404(CustomerImport, pk=self.kwargs["pk"])


class ImportMappingView(PermissionRequiredMixin, JobMixin, FormView):
    """Which field each column fills, for a file whose columns are not all our export's."""

    permission_required = "imports.add_customerimport"
    template_name = "imports/mapping.html"

    @cached_property
    def header(self):
        return open_table(self.job.file.path, name=self.job.name, encoding=self.job.encoding).header

    def get_form(self, form_class=None):
        return MappingForm(**self.get_form_kwargs(), header=self.header, mapping=self.job.mapping)

    def form_valid(self, form):
        self.job.mapping = form.mapping()
        self.job.save(update_fields=["mapping"])
        enqueue(self.job, tasks.check_import)
        return redirect(self.job)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            job=self.job,
            required=REQUIRED_COLUMNS,
            breadcrumbs=[("Imports", reverse("imports:list"))],
            **kwargs,
        )


class ImportListView(ObjectListView):
    permission_required = "imports.view_customerimport"
    queryset = CustomerImport.objects.select_related("created_by")
    table_class = CustomerImportTable
    title = "Imports"
    context_object_name = "imports"
    create_url_name = "imports:upload"
    create_label = "Import Customers"
    create_permission = "imports.add_customerimport"
    breadcrumbs = [("Customers", "customers:list")]


class ImportDetailView(PermissionRequiredMixin, DetailView):
    """An import's page: the dry run's counts and errors, then the writing's progress,
    updated without a reload while a job runs."""

    permission_required = "imports.view_customerimport"
    model = CustomerImport
    context_object_name = "job"
    template_name = "imports/detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            waiting_for_worker=waiting_for_worker(self.object),
            breadcrumbs=[("Imports", reverse("imports:list"))],
            **kwargs,
        )


def waiting_for_worker(job):
    """Whether the job's task has waited for a worker longer than a worker takes."""
    if job.status not in (Status.CHECKING, Status.QUEUED) or not job.task_id:
        return False
    from django_tasks import default_task_backend

    try:
        result = default_task_backend.get_result(job.task_id)
    except Exception:  # noqa: BLE001 - an immediate backend keeps no results
        return False
    return result.status == "READY" and timezone.now() - result.enqueued_at > WORKER_WAIT


class ImportProgressView(PermissionRequiredMixin, JobMixin, View):
    """The import's state as JSON, for its page to show without a reload."""

    permission_required = "imports.view_customerimport"

    def get(self, request, *args, **kwargs):
        job = self.job
        return JsonResponse(
            {
                "status": job.status,
                "status_display": job.get_status_display(),
                "rows_done": job.rows_done,
                "rows_total": job.rows_total,
                "running": job.is_running,
                "waiting_for_worker": waiting_for_worker(job),
            }
        )


class ImportCommitView(PermissionRequiredMixin, JobMixin, View):
    permission_required = "imports.add_customerimport"

    def post(self, request, *args, **kwargs):
        updated = CustomerImport.objects.filter(pk=self.job.pk, status=Status.CHECKED).update(
            status=Status.QUEUED, rows_done=0
        )
        if updated:
            enqueue(self.job, tasks.run_import)
            messages.success(request, "Customer import is processing now.")
        else:
            messages.error(request, "This import is not ready to run: see its state below.")
        return redirect(self.job)


class ImportCancelView(PermissionRequiredMixin, JobMixin, View):
    permission_required = "imports.add_customerimport"

    def post(self, request, *args, **kwargs):
        CustomerImport.objects.filter(pk=self.job.pk).update(cancel_requested=True)
        messages.info(request, "The import stops after the batch it is writing.")
        return redirect(self.job)


class ImportErrorReportView(PermissionRequiredMixin, JobMixin, View):
    """The rows with errors as they were in the file, with an ``errors`` column, to fix
    in a spreadsheet and upload again."""

    permission_required = "imports.view_customerimport"

    def get(self, request, *args, **kwargs):
        job = self.job
        writer = csv.writer(Echo())
        rows = pipeline.error_report(job.file.path, job.name, tasks.options_of(job))
        response = HttpResponse(
            "".join(writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        return response


class ImportTemplateView(PermissionRequiredMixin, View):
    """A file to fill in: our export's header and two example rows."""

    permission_required = "imports.add_customerimport"

    def get(self, request, *args, **kwargs):
        header = [
            name for name in CustomerTable.csv_header() if name not in ("created_at", "updated_at")
        ]
        examples = [
            {"customer_type": "personal", "first_name": "Ada", "last_name": "Lovelace",
             "email": "ada@example.com", "phone": "+442079460958", "date_of_birth": "1990-12-10",
             "stores": "DT01", "loyalty_enrolled": "true", "loyalty_balance": "120",
             "city": "London", "country": "GB"},
            {"customer_type": "business", "first_name": "Grace", "last_name": "Hopper",
             "company_name": "Hopper Compilers", "email": "grace@example.com",
             "stores": "DT01;RV02", "loyalty_enrolled": "false", "city": "Arlington",
             "state": "VA", "country": "US"},
        ]  # fmt: skip
        writer = csv.writer(Echo())
        lines = [writer.writerow(header)]
        lines += [
            writer.writerow([example.get(name, "") for name in header]) for example in examples
        ]
        response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="customers-import-template.csv"'
        return response
