"""Whatever lands in the Titan Map's query string, the page answers with a list, never an error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pagetojob.sites.titan_map import MapFilters

params = st.dictionaries(
    st.sampled_from(["kind", "status", "gap", "q", "sort", "object", "object_id", "page"]),
    st.text(max_size=40),
    max_size=8,
)


@given(params)
def test_filters_from_any_params_are_valid(raw):
    filters = MapFilters.from_params(raw)
    assert filters.sort in {"path", "-path", "kind", "-kind", "status", "-status", "job_type", "-job_type",
                            "business_unit", "-business_unit", "updated", "-updated"}
    assert filters.object_id is None or filters.object_id >= 0


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=params)
def test_map_page_answers_200_for_any_query(world, client_for, raw):
    client = client_for(world.viewer)
    response = client.get("/w/acme-air/map/", {k: v.replace("\x00", "") for k, v in raw.items()})
    assert response.status_code == 200
