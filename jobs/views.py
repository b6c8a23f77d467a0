from backoffice.views import ObjectListView

from .models import Job
from .tables import JobTable


class JobListView(ObjectListView):
    """Every background job, of every kind, newest first: its state, attempts, worker,
    heartbeat and progress. For managers watching the machinery, not the work itself (an
    export or import is its requester's page)."""

    permission_required = "jobs.view_job"
    queryset = Job.objects.prefetch_related("subject")
    table_class = JobTable
    title = "Background jobs"
    context_object_name = "jobs"
