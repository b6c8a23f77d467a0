import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from jobs.models import Job
from stores.actors import is_chain_wide

from .checking import MATCH_KEYS


class CustomerImportQuerySet(models.QuerySet):
    def for_actor(self, actor):
        """The imports ``actor`` may see: a file may hold any store's customers, so a
        person sees the ones they uploaded, and a chain-wide actor every one."""
        if is_chain_wide(actor):
            return self
        if not actor.is_authenticated:
            return self.none()
        return self.filter(created_by=actor)


class CustomerImport(models.Model):
    """One uploaded file of customers: its options, the dry run's findings, and how far
    the import got. A background job does the checking and the writing; the page shows
    the progress from here."""

    class Status(models.TextChoices):
        MAPPING = "mapping", "Columns to choose"
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Ready to import"
        REFUSED = "refused", "Has errors"
        QUEUED = "queued", "Waiting for a worker"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Stopped"

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", "UTF-8 (most files)"
        LATIN1 = "latin-1", "Latin-1 (older Windows and Excel CSV files)"

    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    name = models.CharField("file", max_length=255)
    match = models.CharField(
        "match key", max_length=10, choices=list(MATCH_KEYS.items()), default="email"
    )
    update = models.BooleanField(
        "update matched customers", default=False,
        help_text="Else a row that finds a customer is skipped.",
    )  # fmt: skip
    encoding = models.CharField(max_length=10, choices=Encoding.choices, default=Encoding.UTF8)
    date_format = models.CharField(max_length=20, default="%Y-%m-%d")
    phone_region = CountryField(
        "phone numbers without a country code are from", blank=True,
        blank_label="Nowhere: they all start with + and the country code",
    )  # fmt: skip
    header = models.JSONField(default=list, blank=True, help_text="The file's column names.")
    mapping = models.JSONField(default=dict, blank=True, help_text="{file column: field}")
    examples = models.JSONField(
        default=list, blank=True,
        help_text="The file's first rows, shown beside its columns when they are chosen.",
    )  # fmt: skip
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    problem = models.CharField(max_length=500, blank=True)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    to_skip = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first errors found.")
    samples = models.JSONField(
        default=dict, blank=True, help_text="The first rows to create, update and skip."
    )
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    leave_out_errors = models.BooleanField(
        default=False,
        help_text="Import the rows without errors; those with errors stay in the error report.",
    )
    cancel_requested = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="who", null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("when", default=timezone.now)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="imported by", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text="Who pressed Import: the customers written are recorded as theirs.",
    )  # fmt: skip
    finished_at = models.DateTimeField(null=True, blank=True)
    jobs = GenericRelation(
        "jobs.Job", content_type_field="subject_type", object_id_field="subject_id"
    )

    objects = CustomerImportQuerySet.as_manager()

    RUNNING = (Status.CHECKING, Status.QUEUED, Status.IMPORTING)
    CHECK_JOB, WRITE_JOB = "Import check", "Import"  # the kinds of its jobs
    # The states from which the columns may be chosen again (and the file checked again).
    MAPPABLE = (Status.MAPPING, Status.CHECKED, Status.REFUSED)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "customer import"

    def __str__(self):
        return f"Import of {self.name}"

    def get_absolute_url(self):
        return reverse("imports:detail", args=[self.pk])

    @property
    def checked_path(self):
        """Where the dry run keeps the rows as it checked them, beside the file."""
        return Path(f"{self.file.path}.checked.gz")

    @property
    def error_report_path(self):
        """Where the dry run writes the rows with errors, as a CSV to download."""
        return Path(f"{self.file.path}.errors.csv")

    @property
    def status_label(self):
        """The state as its page and the Imports list show it: a file checked with nothing
        to create or update is not "Ready to import"."""
        if self.status == self.Status.CHECKED and not self.to_create + self.to_update:
            return "Nothing to import"
        return self.get_status_display()

    @property
    def rows_with_errors(self):
        if self.rows_total is None:
            return 0
        return self.rows_total - self.to_create - self.to_update - self.to_skip

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def job(self):
        """The job checking or writing it (the latest one)."""
        return self.jobs.order_by("-pk").first()

    def jobs_under_way(self):
        """Its jobs and its parts' that wait for a worker or run, oldest first."""
        ours = Q(subject_type=ContentType.objects.get_for_model(self), subject_id=self.pk)
        for parts in (self.check_parts, self.write_parts):
            ours |= Q(
                subject_type=ContentType.objects.get_for_model(parts.model),
                subject_id__in=parts.values("pk"),
            )
        under_way = Job.objects.filter(ours, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        return under_way.order_by("pk")

    def job_failed(self, problem):
        """Its job stopped on ``problem``; whether this stopped it (it was still running)."""
        return self.move(
            source=self.RUNNING, status=self.Status.FAILED, problem=problem,
            finished_at=timezone.now(),
        )  # fmt: skip

    def job_restarting(self, job):
        """Back to where ``job`` (a check, or the writing) starts from. The writing goes on
        after the rows its parts wrote before it stopped."""
        if job.kind == self.CHECK_JOB:
            started = self.Status.CHECKING
        else:
            started = self.Status.IMPORTING if self.write_parts.exists() else self.Status.QUEUED
        self.move(source=[self.Status.FAILED], status=started, problem="", finished_at=None)

    def move(self, *, source, **fields):
        """Move the import from one of the ``source`` states to ``fields["status"]`` (with
        the other ``fields``), if it is still in one of them: a compare-and-set, so that of
        two people (or a person and a job) acting at once, only one moves it. Returns
        whether this one did."""
        moved = CustomerImport.objects.filter(pk=self.pk, status__in=source).update(**fields)
        if moved:
            for name, value in fields.items():
                setattr(self, name, value)
        return bool(moved)

    def remove_file(self):
        """Remove the uploaded file and the rows the dry run kept; the findings stay."""
        if self.file:
            for part in self.check_parts.all():
                part.path.unlink(missing_ok=True)
            self.checked_path.unlink(missing_ok=True)
            self.error_report_path.unlink(missing_ok=True)
            self.file.delete(save=False)
            CustomerImport.objects.filter(pk=self.pk).update(file="")


class RememberedMappingQuerySet(models.QuerySet):
    def for_header(self, header):
        """The columns last chosen for a file with these column names, or {}."""
        remembered = self.filter(columns=columns_key(header)).first()
        return remembered.mapping if remembered else {}

    def remember(self, header, mapping, *, user):
        self.update_or_create(
            columns=columns_key(header), defaults={"mapping": mapping, "chosen_by": user}
        )


class RememberedMapping(models.Model):
    """The fields last chosen for a set of column names, whoever chose them: the next
    file with the same columns (the .xlsx after the .csv, next month's file from the same
    till system) is not mapped again."""

    columns = models.CharField(max_length=64, unique=True, help_text="``columns_key``")
    mapping = models.JSONField(help_text="{file column: field, or - to ignore it}")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now=True)

    objects = RememberedMappingQuerySet.as_manager()

    def __str__(self):
        return ", ".join(self.mapping)


def columns_key(header):
    """The set of a file's column names, in any order and case, as a fixed-length key."""
    names = sorted({name.strip().casefold() for name in header})
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()


class ImportPartQuerySet(models.QuerySet):
    def for_actor(self, actor):
        """The parts of the imports ``actor`` may see."""
        return self.filter(customer_import__in=CustomerImport.objects.for_actor(actor))


class ImportPart(models.Model):
    """A slice of an import's rows that one job works on, so that every worker there is
    checks, or writes, a big file at once (``IMPORT_PART_ROWS`` rows each)."""

    number = models.PositiveIntegerField(help_text="Its place in the file, from 0.")
    first_row = models.PositiveIntegerField(help_text="Its first row's place, from 0.")
    row_count = models.PositiveIntegerField()
    rows_done = models.PositiveIntegerField(default=0)
    jobs = GenericRelation(
        "jobs.Job", content_type_field="subject_type", object_id_field="subject_id"
    )

    objects = ImportPartQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["customer_import", "number"]

    def __str__(self):  # on the jobs' page, a row each: named without a query
        return f"Part {self.number + 1} of import #{self.customer_import_id}"

    @property
    def rows(self):
        return range(self.first_row, self.first_row + self.row_count)

    @classmethod
    def cut(cls, customer_import, rows, size):
        """New parts of ``size`` rows for the import's ``rows`` rows (one, if none)."""
        return cls.objects.bulk_create(
            cls(customer_import=customer_import, number=number, first_row=first,
                row_count=min(size, rows - first))
            for number, first in enumerate(range(0, max(rows, 1), size))
        )  # fmt: skip

    def job_failed(self, problem):
        """A part that failed fails the import's check or writing, if still running: the
        import's own job says so, and its page offers Run again."""
        problem = f"Part {self.number + 1} of {self.customer_import}: {problem}"[:500]
        stopped = self.customer_import.job_failed(problem)
        if stopped and (job := self.customer_import.job) is not None:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED, problem=problem, finished_at=timezone.now()
            )


class CheckPart(ImportPart):
    """A part of an import's dry run. Once the last part is checked, the import's findings
    are made from all of them (``pipeline.finish``); Run again checks the whole file again."""

    customer_import = models.ForeignKey(
        CustomerImport, on_delete=models.CASCADE, related_name="check_parts"
    )
    checked = models.BooleanField(default=False)

    CHECK_JOB = "Import check, part"

    class Meta(ImportPart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["customer_import", "number"], name="one_check_part_per_place"
            )
        ]

    @property
    def path(self):
        """Where its rows are written as checked, beside the import's file: a name of its
        own, which a part of a later check of the same file does not share."""
        return Path(f"{self.customer_import.file.path}.part-{self.pk}.gz")


class WritePart(ImportPart):
    """A part of an import's writing: the rows it wrote so far, through which of the
    file's rows, in the same transaction as each batch, so that a worker taking it over
    (or Run again) goes on after its last batch, writing nothing twice."""

    customer_import = models.ForeignKey(
        CustomerImport, on_delete=models.CASCADE, related_name="write_parts"
    )
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    written_through = models.PositiveIntegerField(
        null=True, blank=True, help_text="The file's row up to which its rows were written."
    )
    written = models.BooleanField(default=False, help_text="All of its rows were written.")

    WRITE_JOB = "Import, part"

    class Meta(ImportPart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["customer_import", "number"], name="one_write_part_per_place"
            )
        ]
