import csv

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, FormView

from backoffice.tables import Echo
from backoffice.tasks import enqueue_on_commit, task_waits_for_worker
from backoffice.views import ObjectListView, job_progress_response
from stores.current import get_current_store

from . import pipeline, tasks
from .checking import FIELDS, RowChecker
from .forms import MappingForm, UploadForm
from .models import CustomerImport
from .reading import FileProblem, open_table
from .tables import CustomerImportTable

Status = CustomerImport.Status
# Without these columns (named or mapped), a new customer cannot pass the form.
REQUIRED_COLUMNS = ("first_name", "last_name", "email", "stores")


class ImportUploadView(PermissionRequiredMixin, FormView):
    """Import Customers: upload a file; it is checked in the background (the dry run)."""

    permission_required = "imports.add_customerimport"
    form_class = UploadForm
    template_name = "imports/upload.html"

    def get_initial(self):
        """National phone numbers are those of the top bar's store's country, as on the
        customer form."""
        store = get_current_store(self.request)
        return {"phone_region": store.country.code if store and store.country else ""}

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
        enqueue_on_commit(tasks.check_import, job)
        return redirect(job)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            breadcrumbs=[("Customers", reverse("customers:list"))], **kwargs
        )


class JobMixin:
    @cached_property
    def job(self):
        return get_object_or_404(CustomerImport, pk=self.kwargs["pk"])


class FileNeededMixin(JobMixin):
    """Pages that read the uploaded file, which is removed once imported, or a day after
    the upload."""

    def dispatch(self, request, *args, **kwargs):
        if not self.job.file:  # after PermissionRequiredMixin's check
            messages.error(request, "This import's file was removed (once imported, or a day "
                           "after the upload): upload it again.")  # fmt: skip
            return redirect(self.job)
        return super().dispatch(request, *args, **kwargs)


class ImportMappingView(PermissionRequiredMixin, FileNeededMixin, FormView):
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
        enqueue_on_commit(tasks.check_import, self.job)
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
        importing = self.object.status in (Status.QUEUED, Status.IMPORTING)
        return super().get_context_data(
            waiting_for_worker=waiting_for_worker(self.object),
            rows_label="rows written" if importing else "rows checked",
            breadcrumbs=[("Imports", reverse("imports:list"))],
            **kwargs,
        )


def waiting_for_worker(job):
    """Whether the job waits for a worker to start it (a job running has one)."""
    waiting = job.status in (Status.CHECKING, Status.QUEUED)
    return waiting and task_waits_for_worker(job.task_id)


class ImportProgressView(PermissionRequiredMixin, JobMixin, View):
    """The import's state as JSON, for its page to show without a reload."""

    permission_required = "imports.view_customerimport"

    def get(self, request, *args, **kwargs):
        return job_progress_response(self.job, waiting_for_worker=waiting_for_worker(self.job))


class ImportCommitView(PermissionRequiredMixin, FileNeededMixin, View):
    permission_required = "imports.add_customerimport"

    def post(self, request, *args, **kwargs):
        updated = CustomerImport.objects.filter(pk=self.job.pk, status=Status.CHECKED).update(
            status=Status.QUEUED, rows_done=0
        )
        if updated:
            enqueue_on_commit(tasks.run_import, self.job)
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


class ImportErrorReportView(PermissionRequiredMixin, FileNeededMixin, View):
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
        header = FIELDS
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
