from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRel
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from stores.actors import is_chain_wide


class JobQuerySet(models.QuerySet):
    def for_actor(self, actor):
        """The jobs ``actor`` may see: every one for a chain-wide actor, who watches the
        workers; else the jobs of the subjects it may see, each model that has jobs (a
        ``GenericRelation`` to ``Job``) answering through its own ``for_actor``: a
        person's own exports and imports, and their imports' parts."""
        if is_chain_wide(actor):
            return self
        subjects = [
            relation.related_model
            for relation in Job._meta.get_fields(include_hidden=True)
            if isinstance(relation, GenericRel)
        ]
        in_scope = models.Q(pk__in=[])
        for model in subjects:
            in_scope |= models.Q(
                subject_type=ContentType.objects.get_for_model(model),
                subject_id__in=model._default_manager.for_actor(actor).values("pk"),
            )
        return self.filter(in_scope)

    def stale(self):
        """Running jobs whose worker has not beaten for ``JOB_STALE_AFTER``: it died (a
        ``kill -9``, a lost machine), since a working job beats far more often."""
        since = timezone.now() - settings.JOB_STALE_AFTER
        return self.filter(status=Job.Status.RUNNING, heartbeat_at__lt=since)


class Job(models.Model):
    """One piece of background work (an export, an import's check or its writing) as the
    machinery sees it, whatever its kind: who runs it, how often it was tried, when it last
    showed life and how far it got. Its ``subject`` (an Export, a CustomerImport) keeps
    what the work is about, and says on its own page what became of it.

    A worker that dies leaves its job running with an old heartbeat: the next worker that
    looks takes it over (``jobs.running.take_over_stale_jobs``), up to
    ``JOB_MAX_ATTEMPTS`` tries."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=50, help_text="What the job does, e.g. Export.")
    task_path = models.CharField(max_length=200, help_text="The task that runs it.")
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True, help_text="The worker running it.")
    heartbeat_at = models.DateTimeField("heartbeat", null=True, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The queue's id for it.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="job_subject"),
            models.Index(
                fields=["heartbeat_at"],
                condition=models.Q(status="running"),
                name="job_running_heartbeat",
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def is_running(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Worker(models.Model):
    """A worker process, as last seen: ``check_workers`` alarms when none was seen lately."""

    name = models.CharField(max_length=100, unique=True, help_text="host:process id")
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self):
        return self.name


class ScheduledRun(models.Model):
    """The last period (a day) for which a schedule's task was queued: ``run_schedules``
    moves it on with a compare-and-set, so each period's run is queued once, however many
    machines run the command at the same minute."""

    name = models.CharField(max_length=100, unique=True)
    period = models.CharField(max_length=20, blank=True, help_text="e.g. 2026-12-03")
    queued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} ({self.period or 'never run'})"
