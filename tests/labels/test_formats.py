"""Label format files: a broken file is reported and never breaks the others."""
import shutil

from reco.cli import check_labels
from reco.labels.formats import LABELS_DIR, load_formats

GOOD = (LABELS_DIR / "dymo-11354.toml").read_text()


def test_broken_files_are_reported_and_the_others_kept(tmp_path):
    shutil.copy(LABELS_DIR / "dymo-11354.toml", tmp_path / "good.toml")
    (tmp_path / "not-toml.toml").write_text("name = [unclosed")
    (tmp_path / "no-barcode.toml").write_text(GOOD.split("[barcode]")[0])
    (tmp_path / "too-wide.toml").write_text(GOOD.replace("label_width_mm = 57", "label_width_mm = 80"))
    (tmp_path / "bad-kind.toml").write_text(GOOD.replace('kind = "roll"', 'kind = "scroll"'))
    (tmp_path / "negative.toml").write_text(GOOD.replace("padding_mm = 1.5", "padding_mm = -1"))
    (tmp_path / "bad-field.toml").write_text(GOOD.replace('"grade", ', '"colour", '))
    (tmp_path / "latin1.toml").write_bytes(GOOD.replace("57×32", "57x32 é").encode("latin-1"))
    (tmp_path / "qr-text.toml").write_text(GOOD.replace("qr = false", 'qr = "false"'))
    (tmp_path / "half-column.toml").write_text(GOOD.replace("columns = 1", "columns = 1.5"))
    (tmp_path / "cramped.toml").write_text(GOOD.replace("label_width_mm = 57", "label_width_mm = 12")
                                           .replace("page_width_mm = 57", "page_width_mm = 12"))
    formats, problems = load_formats(tmp_path)
    assert list(formats) == ["good"]
    assert sorted(p.split(":")[0] for p in problems) == sorted(
        ["not-toml.toml", "no-barcode.toml", "too-wide.toml", "bad-kind.toml", "negative.toml", "bad-field.toml",
         "latin1.toml", "cramped.toml", "qr-text.toml", "half-column.toml"])


def test_check_labels_command(app, monkeypatch, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(check_labels)
    assert result.exit_code == 0 and "a4-avery-l7160" in result.output
    (tmp_path / "broken.toml").write_text("kind = 3")
    monkeypatch.setattr("reco.labels.formats.LABELS_DIR", tmp_path)
    monkeypatch.setattr("reco.labels.formats.load_formats.__defaults__", (tmp_path,))
    result = runner.invoke(check_labels)
    assert result.exit_code == 1 and "broken.toml" in result.output
