"""``andromede alignment`` as the operator types it on the server: the demo's two price
lists of theirs, the report on a day, a pin, a refused file, following the cut (a dry run
first, then the change after the notice); bad input is one line and exit code 2."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.e2e.conftest import Service
from tests.price_files import Kind, aws_json


def test_the_operator_follows_their_cut_from_the_command_line(
    service: Service, tmp_path: Path
) -> None:
    config = tmp_path / "cli.json"

    def cli(*args: str) -> str:
        done = service.cli("alignment", *args, config=config)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def refused(*args: str) -> str:
        done = service.cli("alignment", *args, config=config)
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1
        return done.stderr

    lists = json.loads(cli("imports", "-o", "json"))
    assert [x["published"][:10] for x in lists] == ["2026-12-01", "2026-11-01"]
    after, before = lists[0]["id"], lists[1]["id"]
    old = json.loads(cli("report", "--at", "2026-11-15", "-o", "json"))
    assert old["reference"]["id"] == before  # their list, and ours, on that day
    report = json.loads(cli("report", "-o", "json"))
    assert report["reference"]["id"] == after
    line = next(
        x for x in report["lines"] if (x["flavor"], x["region"]) == ("SCS-4V-16", "fr-par-1")
    )
    assert (line["their_type"], line["our_hourly"]) == ("m6i.xlarge", "0.1958")
    assert "m6i.xlarge (pinned)" not in cli("report")
    cli("pin", "SCS-4V-16", "m6i.2xlarge")
    assert "m6i.2xlarge (pinned)" in cli("report")
    cli("unpin", "SCS-4V-16")
    broken = tmp_path / "rds.json"
    broken.write_bytes(aws_json([Kind("m6i.large", 2, "8", "General purpose", "1")],
                                offer_code="AmazonRDS"))  # fmt: skip
    assert "not the EC2 price list" in refused(
        "import", str(broken), "--region", "eu-west-3", "--rate", "0.92", "--rate-date",
        "2026-11-30",
    )  # fmt: skip
    assert len(json.loads(cli("imports", "-o", "json"))) == 2  # nothing kept
    assert "--rate-date" in refused(
        "import", str(broken), "--region", "eu-west-3", "--rate", "0.92", "--rate-date", "soon"
    )
    assert "notice 7 days" in cli("settings", "--notice-days", "7", "--margin-floor", "0.15")
    dry = cli("follow", "--before", before, "--after", after, "--wholesale", "hold", "--dry-run")
    assert "compute:SCS-2V-8:fr-par-1" in dry and "compute:SCS-4V-16:fr-par-1" in dry
    assert "operator revenue" in dry
    soon = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert "7 days' notice" in refused("follow", "--before", before, "--after", after, "--at", soon)
    later = (datetime.now(UTC) + timedelta(days=8)).date().isoformat()
    done = cli("follow", "--before", before, "--after", after, "--at", later)
    assert "2 list prices change" in done and "partners are notified" in done
