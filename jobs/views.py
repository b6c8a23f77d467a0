from backoffice.views import ObjectListView

from .models import Job
from .tables import JobTable


class JobListView(ObjectListView):
    """Background jobs, of every kind, newest first: its state, attempts, worker, heartbeat
    and progress. For managers watching the machinery, not the work itself (an export or
    import is its requester's page): every job for a chain-wide manager, else the jobs of
    their own exports and imports (``Job.objects.for_actor``)."""

    permission_required = "jobs.view_job"
    table_class = JobTable
    title = "Background jobs"
    context_object_name = "jobs"

    def get_queryset(self):
        return Job.objects.for_actor(self.request.user).prefetch_related("subject")
