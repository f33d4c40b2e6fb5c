"""Screens of the taxonomy importer: upload, column check, progress, review, apply, history."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pagetojob.accounts.access import Can, can, workspace_view
from pagetojob.taxonomy import hooks, importer
from pagetojob.taxonomy.columns import FIELD_LABELS, fields_for
from pagetojob.taxonomy.families import BY_KEY, FAMILIES
from pagetojob.taxonomy.models import BatchStatus, CandidateKind, Decision, ImportBatch

KIND_ORDER = [CandidateKind.NEW, CandidateKind.CHANGED, CandidateKind.DEACTIVATED, CandidateKind.UNCHANGED,
              CandidateKind.DUPLICATE, CandidateKind.BLOCKED]


def _batch(request: HttpRequest, batch_id: int) -> ImportBatch:
    return get_object_or_404(ImportBatch.objects.filter(workspace=request.workspace), pk=batch_id)


@workspace_view(Can.VIEW)
def import_list(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    error = ""
    if request.method == "POST":
        if not can(request.membership, Can.IMPORT):
            messages.error(request, "Your role cannot import files. Ask a marketer, admin or owner.")
            return redirect("imports", workspace.key)
        upload = request.FILES.get("file")
        family = request.POST.get("family", "")
        if upload is None:
            error = "Choose a file to upload."
        elif family not in BY_KEY:
            error = "Choose what the file contains (business units, job types ...)."
        else:
            try:
                batch = importer.create_batch(workspace, request.user, family, upload.name, upload.chunks())
            except importer.ImportFileError as problem:
                error = f"{upload.name}: {problem}"
            else:
                return redirect("import-batch", workspace.key, batch.pk)
    batches = ImportBatch.objects.filter(workspace=workspace).select_related("uploaded_by", "applied_by")
    page = Paginator(batches, 25).get_page(request.GET.get("page"))
    feeder = hooks.api_import()
    return render(request, "taxonomy/imports.html", {
        "api": feeder.screen_state(workspace) if feeder else None,
        "nav_section": "imports", "page_obj": page, "families": FAMILIES, "error": error,
        "chosen_family": request.POST.get("family", request.GET.get("family", "")),
        "can_import": can(request.membership, Can.IMPORT), "query": "",
        "max_mb": importer.max_upload_bytes() // (1024 * 1024),
    }, status=400 if error else 200)


@require_POST
@workspace_view(Can.IMPORT)
def import_from_api(request: HttpRequest) -> HttpResponse:
    """Queue the read-only ServiceTitan fetch of one family, or of every family; the worker does the rest."""
    feeder = hooks.api_import()
    if feeder is None:
        messages.error(request, "The ServiceTitan API import is not available in this deployment.")
        return redirect("imports", request.workspace.key)
    family = request.POST.get("family", "")
    if family and family not in BY_KEY:
        messages.error(request, "Choose a family to fetch, or all of them.")
        return redirect("imports", request.workspace.key)
    try:
        runs = feeder.start(request.workspace, request.user, [family] if family else None)
    except feeder.ApiImportRefused as error:
        messages.error(request, str(error))
    else:
        labels = ", ".join(BY_KEY[run.family].label.lower() for run in runs)
        messages.success(request, f"Fetching {labels} from ServiceTitan (read-only). Each becomes an import to "
                                  "review below; you can leave this page.")
    return redirect("imports", request.workspace.key)


@workspace_view(Can.VIEW)
def import_api_runs(request: HttpRequest) -> HttpResponse:
    """htmx: the ServiceTitan fetches and their progress; a finished fetch reloads the page to list its import."""
    feeder = hooks.api_import()
    api = feeder.screen_state(request.workspace) if feeder else None
    response = render(request, "taxonomy/import_api_runs.html", {"api": api})
    if api is not None and not api.active and request.GET.get("was") == "active":
        response["HX-Refresh"] = "true"
    return response


@workspace_view(Can.VIEW)
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    context = {"nav_section": "imports", "batch": batch, "family": BY_KEY[batch.family],
               "can_import": can(request.membership, Can.IMPORT)}
    if batch.status == BatchStatus.MAPPING:
        fields = fields_for(batch.family)
        context["mapping_rows"] = [
            {"field": field, "label": FIELD_LABELS.get(field, field), "current": batch.column_mapping.get(field, ""),
             "required": field == "name"} for field in fields]
        context["sample"] = batch.counts.get("sample", [])
    if batch.status in (BatchStatus.REVIEW, BatchStatus.APPLIED, BatchStatus.APPLYING):
        kind = request.GET.get("kind", "")
        decision = request.GET.get("decision", "")
        candidates = batch.candidates.all()
        if kind in CandidateKind.values:
            candidates = candidates.filter(kind=kind)
        if decision in Decision.values:
            candidates = candidates.filter(decision=decision)
        if request.GET.get("q"):
            candidates = candidates.filter(name__icontains=request.GET["q"][:100])
        totals = batch.candidates.aggregate(
            accepted=Count("pk", filter=Q(decision=Decision.ACCEPTED)),
            rejected=Count("pk", filter=Q(decision=Decision.REJECTED)),
            pending=Count("pk", filter=Q(decision=Decision.PENDING)),
        )
        context.update(
            page_obj=Paginator(candidates, 100).get_page(request.GET.get("page")),
            kinds=[(k, CandidateKind(k).label, batch.counts.get(k, 0)) for k in KIND_ORDER],
            kind=kind, decision=decision, totals=totals, q=request.GET.get("q", ""),
            safe_count=importer.safe_candidates(batch).exclude(decision=Decision.ACCEPTED).count(),
            query="&".join(f"{k}={v}" for k, v in (("kind", kind), ("decision", decision)) if v),
        )
    return render(request, "taxonomy/import_batch.html", context)


@workspace_view(Can.VIEW)
def batch_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    """htmx: the progress bar while the worker reads or applies; a finished batch reloads the page."""
    batch = _batch(request, batch_id)
    response = render(request, "taxonomy/import_progress.html", {"batch": batch})
    if batch.status not in (BatchStatus.READING, BatchStatus.APPLYING):
        response["HX-Refresh"] = "true"
    return response


@require_POST
@workspace_view(Can.IMPORT)
def batch_columns(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    mapping = {field: request.POST.get(f"column_{field}", "") for field in fields_for(batch.family)}
    try:
        importer.confirm_mapping(batch, request.user, mapping)
    except importer.ImportFileError as error:
        messages.error(request, str(error))
    return redirect("import-batch", request.workspace.key, batch.pk)


@require_POST
@workspace_view(Can.IMPORT)
def batch_decide(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    action = request.POST.get("action", "")
    back = request.POST.get("back", "")
    try:
        if action == "accept_safe":
            count = importer.accept_safe(batch, request.user)
            messages.success(request, f"Accepted {count} safe row{'s' if count != 1 else ''}.")
        elif action in ("accepted", "rejected", "pending"):
            ids = [int(v) for v in request.POST.getlist("candidate") if v.isdigit()]
            if not ids:
                messages.warning(request, "Select rows first.")
            else:
                count = importer.decide(batch, request.user, ids, action)
                messages.success(request, f"Marked {count} row{'s' if count != 1 else ''} {Decision(action).label}.")
        elif action == "apply":
            importer.queue_apply(batch, request.user)
            messages.info(request, "Applying the accepted rows. All of them land, or none do.")
        elif action == "discard":
            importer.discard(batch, request.user, request.POST.get("reason", ""))
            messages.success(request, f"Discarded {batch.file_name}; nothing was changed.")
            return redirect("imports", request.workspace.key)
    except importer.ImportFileError as error:
        messages.error(request, str(error))
    url = redirect("import-batch", request.workspace.key, batch.pk).url
    return redirect(f"{url}?{back}" if back else url)


@workspace_view(Can.VIEW)
def candidate_edit(request: HttpRequest, batch_id: int, candidate_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    candidate = get_object_or_404(batch.candidates.all(), pk=candidate_id)
    fields = [field for field in fields_for(batch.family) if field != "description"]
    error = ""
    if request.method == "POST":
        if not can(request.membership, Can.IMPORT):
            messages.error(request, "Your role cannot edit imports.")
            return redirect("import-batch", request.workspace.key, batch.pk)
        cells = {field: request.POST.get(field, "") for field in fields}
        try:
            importer.edit_candidate(candidate, request.user, cells)
        except importer.ImportFileError as problem:
            error = str(problem)
        else:
            messages.success(request, f"Row {candidate.row_number} now reads as {candidate.get_kind_display()}.")
            return redirect("import-batch", request.workspace.key, batch.pk)
    values = candidate.values
    rows = []
    for field in fields:
        value = values.get(field, "")
        if field == "active":
            value = "active" if values.get("active", True) else "inactive"
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append({"field": field, "label": FIELD_LABELS.get(field, field), "value": "" if value is None else value})
    return render(request, "taxonomy/import_candidate.html", {
        "nav_section": "imports", "batch": batch, "candidate": candidate, "rows": rows, "error": error,
    }, status=400 if error else 200)
