from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone

from .exports import ExportFormat
from .money import MoneyField


class WrittenOnce(models.Model):
    """History (audit events, ledger entries): each row is written once, then never changed
    or deleted on its own. Deleting what it belongs to may take it along."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{self.plural_name()} are never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self.plural_name()} are never deleted on their own.")

    def plural_name(self):
        return str(self._meta.verbose_name_plural).capitalize()


class MoneyEntry(WrittenOnce):
    """One change of a money balance (a membership's allowance, a house account): what
    moved, the balance it left, where, who and why. Subclasses add the ``account`` and the
    ``kind`` of entry (with choices)."""

    amount = MoneyField(help_text="Added to the balance (negative: taken off).")
    balance_after = MoneyField("balance after")
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    token = models.UUIDField(
        null=True, blank=True, unique=True, editable=False,
        help_text="The one-time token of the form that recorded it: the same form sent again "
        "(a double click, a resent page) finds this entry instead of writing another.",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="who", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("date", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    @classmethod
    def refuse_repeat(cls, token):
        """Raise ``AlreadyRecorded`` when an entry has this form ``token``. Called under the
        account's row lock, so that the same form sent twice at once is seen the second
        time (the unique token is the database's backstop)."""
        if token and (entry := cls.objects.filter(token=token).first()):
            raise AlreadyRecorded(entry)


class AlreadyRecorded(Exception):
    """The form that would record an entry was sent before: ``entry`` is what it recorded."""

    def __init__(self, entry):
        super().__init__(f"This was already recorded: {entry}.")
        self.entry = entry


class AuditEvent(WrittenOnce):
    """One change to the data, written by the service that made it, in the same transaction.

    Events are never edited or deleted: the only later write is the redaction that a purge
    makes (``backoffice.audit.redact_history``), which keeps who, when and what kind of
    change, and removes the personal data.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        RESTORE = "restore", "Restored"
        PURGE = "purge", "Purged"
        LOYALTY = "loyalty", "Loyalty changed"
        BALANCE = "balance", "Balance changed"
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        ERASE = "erase", "Erased"

    created_at = models.DateTimeField("when", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="who",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(
        "who (name then)", max_length=150, blank=True, help_text="Kept if the user is deleted."
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name="object type", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField("object", max_length=200)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(
        default=dict, blank=True, help_text="Changed fields: {field: [old, new]}."
    )
    about_customer = models.PositiveBigIntegerField(
        null=True, blank=True,
        help_text="The customer the event names when its object is another: an account "
        "they hold, a membership they joined. A purge redacts these events too.",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="audit_object_history"
            ),
            models.Index(
                fields=["about_customer"],
                condition=models.Q(about_customer__isnull=False),
                name="audit_about_customer",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"


class TablePreference(models.Model):
    """The columns a user chose to see in one table, in their order."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="table_preferences"
    )
    table = models.CharField(max_length=100, help_text="The table's name, e.g. customers.")
    columns = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "table"], name="one_preference_per_table"),
        ]

    def __str__(self):
        return f"{self.user}: {self.table}"


class ExportQuerySet(models.QuerySet):
    def for_actor(self, actor):
        """The exports ``actor`` may see: a person's own, whoever else they may see. A
        file of customers is for the person who asked and no one else, so a register or
        a command has none."""
        if not actor.is_authenticated:
            return self.none()
        return self.filter(created_by=actor)

    def running_for(self, user):
        """The person's exports waiting for a worker or being written. One asked for more
        than ``JOB_FILES_KEPT_FOR`` ago no longer counts: its worker is gone."""
        since = timezone.now() - settings.JOB_FILES_KEPT_FOR
        running = [Export.Status.QUEUED, Export.Status.RUNNING]
        return self.filter(created_by=user, status__in=running, created_at__gte=since)


class Export(models.Model):
    """A list's rows written to a file (a CSV or a workbook) by a background job, for the
    person who asked and no one else: exports too long to send at once, or any export when
    the person chooses.

    The job rebuilds the list as that person had it: the list view (``list_view``, a
    dotted path), its query string and the session values it reads (the top bar's
    store). The file is in the media storage until ``expires_at``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Writing"
        DONE = "done", "Ready"
        FAILED = "failed", "Stopped"
        EXPIRED = "expired", "Removed"

    title = models.CharField("list", max_length=100)
    list_view = models.CharField(max_length=200)
    query = models.TextField(blank=True)
    session = models.JSONField(default=dict, blank=True)
    filename = models.CharField(max_length=100)
    file_format = models.CharField(
        "format", max_length=10, choices=ExportFormat.choices, default=ExportFormat.CSV
    )
    file = models.FileField(upload_to="exports/", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    problem = models.CharField(max_length=500, blank=True)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="who", on_delete=models.CASCADE, related_name="+"
    )
    jobs = GenericRelation(
        "jobs.Job", content_type_field="subject_type", object_id_field="subject_id"
    )
    created_at = models.DateTimeField("when", default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self):
        return f"Export of {self.title}"

    def get_absolute_url(self):
        return reverse("export_detail", args=[self.pk])

    @property
    def expires_at(self):
        return self.created_at + settings.JOB_FILES_KEPT_FOR

    @property
    def is_running(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_ready(self):
        return self.status == self.Status.DONE and timezone.now() < self.expires_at

    @property
    def job(self):
        """The job writing it (the latest, when it was run again)."""
        return self.jobs.order_by("-pk").first()

    def job_failed(self, problem):
        Export.objects.filter(pk=self.pk).update(
            status=self.Status.FAILED, problem=problem, finished_at=timezone.now()
        )

    def job_restarting(self, job):
        Export.objects.filter(pk=self.pk).update(
            status=self.Status.QUEUED, problem="", rows_done=0, rows_total=None, finished_at=None
        )

    def rebuilt_request(self):
        """A request as the person's list had it: their user, query string and session."""
        request = HttpRequest()
        request.method = "GET"
        request.GET = QueryDict(self.query)
        request.user = self.created_by
        request.session = dict(self.session)
        return request
