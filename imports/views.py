import csv

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from backoffice.tables import Echo
from backoffice.tasks import task_waits_for_worker, waiting_state
from backoffice.views import ObjectListView, job_progress_response
from jobs.models import Job
from jobs.running import run_again, start
from stores.current import get_current_store

from . import tasks
from .checking import FIELD_LABELS, FIELDS, REQUIRED_COLUMNS, needs_mapping
from .forms import MappingForm, UploadForm
from .models import CustomerImport, RememberedMapping
from .reading import FileProblem, identify, open_table
from .tables import CustomerImportTable

Status = CustomerImport.Status


class ImportUploadView(PermissionRequiredMixin, FormView):
    """Import Customers: upload a file; it is checked in the background (the dry run).
    A CSV's header is read here, to choose its columns at once; a workbook is only
    identified here, and opened by the job."""

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
            if identify(job.file.path, name=job.name) == "csv":
                table = open_table(job.file.path, name=job.name, encoding=job.encoding)
                job.header, job.examples = table.header, table.first_rows()
                job.mapping = RememberedMapping.objects.for_header(job.header)
        except FileProblem as problem:
            job.file.delete(save=False)
            form.add_error("upload", str(problem))
            return self.form_invalid(form)
        if job.header and needs_mapping(job.header, job.mapping):
            job.status = Status.MAPPING
            job.save()
            return redirect("imports:mapping", job.pk)
        job.save()
        start(tasks.check_import, job, kind=CustomerImport.CHECK_JOB)
        return redirect(job)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            breadcrumbs=[("Customers", reverse("customers:list"))], **kwargs
        )


class ImportInScopeMixin(PermissionRequiredMixin):
    """An import is its uploader's and a chain-wide manager's (its rows may hold any
    store's customers): anyone else is told it does not exist."""

    permission_required = "imports.view_customerimport"

    def get_queryset(self):
        return CustomerImport.objects.for_actor(self.request.user)

    @cached_property
    def job(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class FileNeededMixin:
    """Pages that read the uploaded file, which is removed once imported, or a day after
    the upload. After ``ImportInScopeMixin`` in the bases: its checks come once the
    permission is checked."""

    def dispatch(self, request, *args, **kwargs):
        if refusal := self.refusal():
            messages.error(request, refusal)
            return redirect(self.job)
        return super().dispatch(request, *args, **kwargs)

    def refusal(self):
        """Why this page cannot be shown for this import now, or ""."""
        if not self.job.file:
            return (
                "This import's file was removed (once imported, or a day after the upload): "
                "upload it again."
            )
        return ""


class ImportMappingView(ImportInScopeMixin, FileNeededMixin, FormView):
    """Which field each column fills, for a file whose columns are not all our export's.
    Choosing them again checks the file again, which is refused once it is importing."""

    permission_required = "imports.add_customerimport"
    template_name = "imports/mapping.html"

    def refusal(self):
        if self.job.status not in CustomerImport.MAPPABLE:
            return (
                f"This import is {self.job.get_status_display().lower()}: its columns can no "
                "longer be changed."
            )
        return super().refusal()

    def get_form(self, form_class=None):
        return MappingForm(
            **self.get_form_kwargs(),
            header=self.job.header,
            mapping=self.job.mapping,
            examples=self.job.examples,
        )

    def form_valid(self, form):
        moved = self.job.move(
            source=CustomerImport.MAPPABLE, status=Status.CHECKING, mapping=form.mapping(),
            rows_done=0, rows_total=None, problem="", errors=[], error_count=0, samples={},
        )  # fmt: skip
        if not moved:  # someone pressed Import, or chose the columns, meanwhile
            self.job.refresh_from_db()
            messages.error(self.request, self.refusal())
            return redirect(self.job)
        RememberedMapping.objects.remember(self.job.header, form.mapping(), user=self.request.user)
        start(tasks.check_import, self.job, kind=CustomerImport.CHECK_JOB)
        return redirect(self.job)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            job=self.job,
            required=[FIELD_LABELS[name] for name in REQUIRED_COLUMNS],
            breadcrumbs=[("Imports", reverse("imports:list"))],
            **kwargs,
        )


class ImportListView(ImportInScopeMixin, ObjectListView):
    table_class = CustomerImportTable
    title = "Your imports"
    context_object_name = "imports"
    create_url_name = "imports:upload"
    create_label = "Import Customers"
    create_permission = "imports.add_customerimport"
    breadcrumbs = [("Customers", "customers:list")]

    def get_queryset(self):
        return super().get_queryset().select_related("created_by")


class ImportDetailView(ImportInScopeMixin, DetailView):
    """An import's page: the dry run's counts and errors, then the writing's progress,
    updated without a reload while a job runs."""

    context_object_name = "job"
    template_name = "imports/detail.html"

    def get_context_data(self, **kwargs):
        importing = self.object.status in (Status.QUEUED, Status.IMPORTING)
        return super().get_context_data(
            **waiting_state(waiting_for_worker(self.object)),
            rows_label="rows written" if importing else "rows checked",
            has_error_report=bool(self.object.file) and self.object.error_report_path.exists(),
            can_run_again=can_run_again(self.object),
            breadcrumbs=[("Imports", reverse("imports:list"))],
            **kwargs,
        )


def waiting_for_worker(customer_import):
    """Whether the import waits for a worker: none of its jobs (its own, or its parts')
    is running, and the next one has waited longer than a running worker takes."""
    if not customer_import.is_running:
        return False
    jobs = customer_import.jobs_under_way()
    if jobs.filter(status=Job.Status.RUNNING).exists():
        return False
    next_job = jobs.first()
    return next_job is not None and task_waits_for_worker(next_job.task_id)


class ImportProgressView(ImportInScopeMixin, View):
    """The import's state as JSON, for its page to show without a reload."""

    def get(self, request, *args, **kwargs):
        return job_progress_response(self.job, waiting_for_worker=waiting_for_worker(self.job))


class ImportCommitView(ImportInScopeMixin, FileNeededMixin, View):
    """Import: the checked file is written by a job, as the person who pressed it."""

    permission_required = "imports.add_customerimport"

    def post(self, request, *args, **kwargs):
        moved = self.job.move(
            source=[Status.CHECKED], status=Status.QUEUED, rows_done=0,
            cancel_requested=False, committed_by=request.user,
        )  # fmt: skip
        if moved:
            start(tasks.run_import, self.job, kind=CustomerImport.WRITE_JOB)
            messages.success(
                request,
                "The import is queued: it starts as soon as a worker is free, and this "
                "page follows it.",
            )
        else:
            messages.error(request, "This import is not ready to run: see its state below.")
        return redirect(self.job)


class ImportValidRowsView(ImportInScopeMixin, FileNeededMixin, TemplateView):
    """Import the rows without errors of a file that has some: a page says how many are
    imported and how many left out, and Import writes the first as Import does. The rows
    left out stay in the error report, to fix and upload again."""

    permission_required = "imports.add_customerimport"
    template_name = "imports/valid_rows_confirm.html"

    def refusal(self):
        if self.job.status != Status.REFUSED or not self.job.to_create + self.job.to_update:
            return "This import has no valid rows to import apart from the others."
        return super().refusal()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            job=self.job, breadcrumbs=[("Imports", reverse("imports:list"))], **kwargs
        )

    def post(self, request, *args, **kwargs):
        moved = self.job.move(
            source=[Status.REFUSED], status=Status.QUEUED, rows_done=0, leave_out_errors=True,
            cancel_requested=False, committed_by=request.user,
        )  # fmt: skip
        if moved:
            start(tasks.run_import, self.job, kind=CustomerImport.WRITE_JOB)
            messages.success(
                request,
                f"The import of {self.job.to_create + self.job.to_update} rows is queued; "
                f"the {self.job.rows_with_errors} with errors are left out.",
            )
        else:
            messages.error(request, "This import is not ready to run: see its state below.")
        return redirect(self.job)


class ImportCancelView(ImportInScopeMixin, View):
    permission_required = "imports.add_customerimport"

    def post(self, request, *args, **kwargs):
        job = self.job
        if job.move(source=[Status.QUEUED], status=Status.CANCELLED, finished_at=timezone.now()):
            messages.info(request, "The import was cancelled before it wrote anything.")
        elif job.move(source=[Status.IMPORTING], cancel_requested=True):
            messages.info(request, "The import stops after the batch it is writing.")
        else:
            messages.error(request, "This import is not running: there is nothing to cancel.")
        return redirect(job)


class ImportRunAgainView(ImportInScopeMixin, FileNeededMixin, View):
    """A check or a writing whose job failed (its workers kept dying, or it stopped on an
    error of ours), run again by a new job: a writing goes on after its last batch."""

    permission_required = "imports.add_customerimport"

    def post(self, request, *args, **kwargs):
        if can_run_again(self.job):
            with transaction.atomic():
                run_again(self.job.job)
            messages.success(request, "The import was started again.")
        else:
            messages.error(request, "This import did not fail: there is nothing to run again.")
        return redirect(self.job)


def can_run_again(customer_import):
    """A failed check or writing, once none of its jobs (its parts') is still stopping."""
    job = customer_import.job
    failed = customer_import.status == Status.FAILED and bool(customer_import.file)
    return (
        failed
        and job is not None
        and job.status == job.Status.FAILED
        and not customer_import.jobs_under_way().exists()
    )


class ImportErrorReportView(ImportInScopeMixin, FileNeededMixin, View):
    """The rows with errors as they were in the file, with an ``errors`` column, to fix
    in a spreadsheet and upload again: written by the dry run, served as it is."""

    def get(self, request, *args, **kwargs):
        path = self.job.error_report_path
        if not path.exists():
            messages.info(request, "This import's last check found no rows with errors.")
            return redirect(self.job)
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"import-{self.job.pk}-errors.csv",
            content_type="text/csv; charset=utf-8",
        )


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
