"""The monitoring pages without a browser: both roles open them, a municipality sees its own
figures only, each chart comes with its table, and the words are Dutch first."""

from __future__ import annotations

import pytest
from web_testing import ENSCHEDE, HENGELO, sign_in

from api.db import session_factory
from api.services import households
from api.services.errors import Actor

PAGES = ["/ui/monitoring", "/ui/monitoring/lead-times?by=province", "/ui/monitoring/lead-times?by=municipality",
         "/ui/monitoring/realisation", "/ui/monitoring/regional", "/ui/monitoring/regional?by=location",
         "/ui/monitoring/predicted"]


@pytest.fixture
def history(app, secrets):
    with session_factory(app.state.engine)() as session:
        households.upsert_batch(session, Actor(None, "test", "coa"), {"households": [
            {"household_id": "e1", "size": 2, "location_id": "azc-enschede", "permit_date": "2023-06-01",
             "state": "housed", "municipality": ENSCHEDE, "coupling_date": "2023-06-10", "housed_date": "2023-07-10"},
            {"household_id": "h1", "size": 3, "location_id": "azc-enschede", "permit_date": "2023-04-01",
             "state": "housed", "municipality": HENGELO, "coupling_date": "2023-05-01", "housed_date": "2023-09-01"},
        ]})
    return secrets


@pytest.mark.parametrize("path", PAGES)
def test_both_roles_open_every_monitoring_page(path, client, history):
    sign_in(client, history.coa)
    page = client.get(path)
    assert page.status_code == 200 and 'id="figure-table"' in page.text
    sign_in(client, history.enschede)
    page = client.get(path)
    assert page.status_code == 200 and HENGELO not in page.text and "Hengelo" not in page.text


def test_the_lead_time_chart_has_its_table_and_an_empty_month(client, history):
    sign_in(client, history.coa)
    page = client.get("/ui/monitoring").text
    assert page.count("<svg") == 1 and 'class="chart line"' in page and "<polyline" in page
    assert "Doorlooptijd per maand van verhuizing" in page
    months = [m for m in ("2023-07", "2023-08", "2023-09") if f"<td>{m}</td>" in page]
    assert months == ["2023-07", "2023-08", "2023-09"]  # August empty, still a row
    assert page.count("<polyline") == 4  # two series, each broken by the empty August


def test_realisation_has_bars_per_province_and_the_map(client, history):
    sign_in(client, history.coa)
    page = client.get("/ui/monitoring/realisation").text
    assert 'class="chart bars"' in page and page.count('class="bar ') == 12
    assert 'class="nlmap"' in page and page.count("data-code=") == 342
    sign_in(client, history.enschede)
    own = client.get("/ui/monitoring/realisation").text
    assert own.count("data-code=") == 1 and 'class="chart bars"' not in own


def test_english_beside_dutch(client, history):
    sign_in(client, history.coa)
    client.get("/ui/lang/en?next=/ui/monitoring")
    assert "Lead time by month of move-in" in client.get("/ui/monitoring").text


def test_a_bad_query_is_a_page(client, history):
    sign_in(client, history.coa)
    response = client.get("/ui/monitoring/realisation?by=month")
    assert response.status_code == 422 and "<html" in response.text


def test_realisation_rows_name_their_level_in_the_pages_language(client, history):
    """Tabel 1's levels are words of the page's language, each safety region a row between its
    province and its municipalities: Twente's row sums Enschede (2 housed) and Hengelo (3)."""
    sign_in(client, history.coa)
    page = client.get("/ui/monitoring/realisation?as_of=2023-12-31").text
    assert page.count('data-level="safety_region"') == 25 and page.count('data-level="province"') == 12
    twente = page[page.index('<td>VR05</td>') - 300:page.index('<td>VR05</td>') + 200]
    assert 'class="sub" data-level="safety_region"' in twente and "<td>Veiligheidsregio</td>" in twente
    assert "<td>985</td>" in twente and "<td>5</td>" in twente  # taakstelling 985, realised 5
    assert "<td>safety_region</td>" not in page and "<td>province</td>" not in page
    assert "<td>Totaal</td>" in page
    client.get("/ui/lang/en?next=/ui/monitoring/realisation")
    english = client.get("/ui/monitoring/realisation").text
    assert "<td>Safety region</td>" in english and "<td>Municipality</td>" in english and "<td>Total</td>" in english


def test_a_long_figure_is_paged_on_the_page_and_whole_in_the_export(client, history, monkeypatch):
    """With 2 rows a page, the lead times' 3 months (July, an empty August, September) are two
    pages: the first with a link to the next; the export keeps all three."""
    from api.web import monitoring

    monkeypatch.setattr(monitoring, "PAGE_ROWS", 2)
    sign_in(client, history.coa)
    first = client.get("/ui/monitoring/lead-times").text
    assert "<td>2023-07</td>" in first and "<td>2023-08</td>" in first and "<td>2023-09</td>" not in first
    assert 'href="/ui/monitoring/lead-times?offset=2"' in first
    second = client.get("/ui/monitoring/lead-times?offset=2").text
    assert "<td>2023-09</td>" in second and "<td>2023-07</td>" not in second
    assert 'href="/ui/monitoring/lead-times?offset=0"' in second
    by = client.get("/ui/monitoring/lead-times?by=province&offset=0").text
    assert "Overijssel" in by and "offset=" not in by  # one page: no pager
    export = client.get("/api/v1/monitoring/lead-times/export.csv", headers={"Authorization": f"Bearer {history.coa}"})
    assert export.status_code == 200 and export.text.count("\n2023-0") == 3


def test_decimals_read_in_the_pages_language(client, history):
    """Overijssel's two move-ins took 30 days (e1: 10 June to 10 July) and 123 days (h1: 1 May to
    1 September) from coupling: mean 76.5, p90 30 + 0.9 x 93 = 113.7; they read 76,5 and 113,7
    in Dutch and 76.5 and 113.7 in English."""
    sign_in(client, history.coa)
    dutch = client.get("/ui/monitoring/lead-times?by=province").text
    assert "<td>76,5</td>" in dutch and "<td>113,7</td>" in dutch and "<td>76.5</td>" not in dutch
    client.get("/ui/lang/en?next=/ui/monitoring/lead-times")
    english = client.get("/ui/monitoring/lead-times?by=province").text
    assert "<td>76.5</td>" in english and "<td>113.7</td>" in english


def test_the_as_of_date_reads_as_a_long_date(client, history):
    sign_in(client, history.coa)
    assert "Peildatum 31 december 2023" in client.get("/ui/monitoring/realisation?as_of=2023-12-31").text
    client.get("/ui/lang/en?next=/ui/monitoring")
    assert "As of 31 December 2023" in client.get("/ui/monitoring/realisation?as_of=2023-12-31").text
