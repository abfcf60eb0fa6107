"""The site folder: a build replaces only a folder it made (or a new or empty one), never one
holding the catalogue, the returns store or anything else, and a relative folder is taken from
where the user stands, not from where MkDocs runs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from generator.site.build import BuildError, mkdocs
from generator.site.folder import MARKER, SiteFolderError, build_into, check_site_folder


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


def _tiny_project(folder: Path) -> Path:
    """An MkDocs configuration with one page (MkDocs' own theme: quick), in ``folder``."""
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    config = folder / "mkdocs.yml"
    config.write_text("site_name: Test\ndocs_dir: docs\n", encoding="utf-8")
    return config


def test_a_relative_site_folder_is_taken_from_the_current_folder_not_the_configurations(
    tmp_path, monkeypatch
):
    """The bug: MkDocs ran in the configuration's folder with a relative -d, so --site data from
    elsewhere emptied <project>/data and built there. Now the site lands where the user stands
    and the project's folder of that name is untouched."""
    config = _tiny_project(tmp_path / "project")
    precious = tmp_path / "project" / "data"
    precious.mkdir()
    (precious / "organisations.csv").write_text("area_code\n", encoding="utf-8")
    here = tmp_path / "elsewhere"
    here.mkdir()
    monkeypatch.chdir(here)
    before = _snapshot(tmp_path / "project")
    mkdocs(Path("data"), "2025-26 Q4", config)
    assert (here / "data" / "index.html").is_file() and (here / "data" / MARKER).is_file()
    assert _snapshot(tmp_path / "project") == before


def test_a_folder_it_did_not_make_is_refused_and_left_as_it_was(tmp_path, monkeypatch):
    config = _tiny_project(tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "minutes.docx").write_bytes(b"the only copy")
    with pytest.raises(
        SiteFolderError, match=r"notes holds files that kpi build did not make \(minutes.docx"
    ):
        mkdocs(Path("notes"), "2025-26 Q4", config)
    assert (notes / "minutes.docx").read_bytes() == b"the only copy" and len(list(notes.iterdir())) == 1


def test_a_site_it_built_has_its_pages_replaced_and_a_failed_build_leaves_it_as_it_was(tmp_path, monkeypatch):
    config = _tiny_project(tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    mkdocs(Path("site"), "2025-26 Q4", config)
    (tmp_path / "site" / "left-over.html").write_text("old", encoding="utf-8")
    mkdocs(Path("site"), "2025-26 Q4", config)
    assert not (tmp_path / "site" / "left-over.html").exists()  # every page replaced, as --clean did
    built = _snapshot(tmp_path / "site")
    (tmp_path / "project" / "docs" / "index.md").write_text("[broken](nowhere.md)\n", encoding="utf-8")
    with pytest.raises(BuildError, match="strict"):
        mkdocs(Path("site"), "2025-26 Q4", config)
    assert _snapshot(tmp_path / "site") == built
    assert [p.name for p in (tmp_path / "site").iterdir() if "kpi-building" in p.name] == []


@pytest.mark.parametrize(
    ("site", "protected", "says"),
    [
        ("data", {"the catalogue": "data/catalogue"}, "would hold the catalogue (data/catalogue)"),
        ("data", {"the returns store": "data/returns"}, "would hold the returns store"),
        ("data/returns", {"the returns store": "data/returns"}, "would hold the returns store"),
        ("data/returns/site", {"the returns store": "data/returns"}, "lies inside the returns store"),
        ("site_src/site", {"the pages' sources": "site_src"}, "lies inside the pages' sources"),
        (".", {}, "is the current folder or holds it"),
        ("..", {}, "is the current folder or holds it"),
    ],
)
def test_folders_that_hold_or_sit_in_the_builds_data_are_refused(
    tmp_path, monkeypatch, site, protected, says
):
    """Checked by path, whether or not the folders exist yet (a store not yet made is still the
    store the build reads)."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SiteFolderError, match=f"site folder .*{says.replace('(', '.').replace(')', '.')}"):
        check_site_folder(Path(site), {k: Path(v) for k, v in protected.items()})


def test_new_empty_and_marked_folders_are_accepted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    protected = {"the returns store": Path("data/returns")}
    check_site_folder(Path("site"), protected)  # does not exist
    (tmp_path / "empty").mkdir()
    check_site_folder(Path("empty"), protected)
    (tmp_path / "built").mkdir()
    (tmp_path / "built" / MARKER).write_text("", encoding="utf-8")
    (tmp_path / "built" / "index.html").write_text("", encoding="utf-8")
    check_site_folder(Path("built"), protected)


def test_a_marked_site_holding_a_store_or_a_catalogue_is_refused(tmp_path, monkeypatch):
    """The marker says the folder was built; a ledger or a catalogue found in it since says it
    now holds data that a rebuild would delete."""
    monkeypatch.chdir(tmp_path)
    for name in ("ledger.csv", "scales.yaml"):
        site = tmp_path / f"site-{name}"
        (site / "deep").mkdir(parents=True)
        (site / MARKER).write_text("", encoding="utf-8")
        (site / "deep" / name).write_text("x", encoding="utf-8")
        with pytest.raises(SiteFolderError, match=f"holds site-{name}/deep/{name}"):
            check_site_folder(site, {})


def test_a_site_without_the_marker_is_refused_but_a_folder_of_dot_entries_is_not(tmp_path, monkeypatch):
    """A site an earlier version built has no marker: it is refused like any folder of files
    (a folder that merely looks like a site may hold pages of someone else's). Entries whose
    names start with a dot are not pages (a Pages branch's .git): they neither count nor go."""
    monkeypatch.chdir(tmp_path)
    old = tmp_path / "site"
    for p in ("sitemap.xml", "search/search_index.json", "generated/areas/index.html", "README-mine.txt"):
        (old / p).parent.mkdir(parents=True, exist_ok=True)
        (old / p).write_text("", encoding="utf-8")
    with pytest.raises(SiteFolderError, match=r"did not make .* delete this one yourself"):
        check_site_folder(old, {})
    (tmp_path / "pages" / ".git").mkdir(parents=True)
    check_site_folder(tmp_path / "pages", {})
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(SiteFolderError, match="is a file"):
        check_site_folder(tmp_path / "a-file", {})


def test_a_rebuild_keeps_the_folder_its_mode_and_its_dot_entries(tmp_path, monkeypatch):
    """The pages are replaced inside the folder, which stays (a mount point, a web server's
    group and mode), and dot entries stay as MkDocs' --clean left them (.git, .htaccess)."""
    config = _tiny_project(tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (site / ".htaccess").write_text("Options -Indexes\n")
    site.chmod(0o2770)
    inode = site.stat().st_ino
    mkdocs(Path("site"), "2025-26 Q4", config)
    mkdocs(Path("site"), "2025-26 Q4", config)
    assert site.stat().st_ino == inode and site.stat().st_mode & 0o7777 == 0o2770
    assert (site / ".git" / "HEAD").read_text().startswith("ref:") and (site / ".htaccess").is_file()
    assert (site / "index.html").is_file() and (site / MARKER).is_file()
    assert not [p for p in site.iterdir() if p.name.startswith(".kpi-building")]


def test_two_builds_at_once_take_turns_and_both_leave_a_whole_site(tmp_path, monkeypatch):
    """A second build used to delete the first one's work folder: the first then reported
    success over a third of a site. Now the second waits for the first."""
    import threading

    config = _tiny_project(tmp_path / "project")
    for n in range(40):  # enough pages for the two builds to overlap
        (tmp_path / "project" / "docs" / f"page{n}.md").write_text(f"# Page {n}\n")
    monkeypatch.chdir(tmp_path)
    errors: list[BaseException] = []

    def one() -> None:
        try:
            mkdocs(tmp_path / "site", "2025-26 Q4", config)
        except BaseException as e:
            errors.append(e)

    builds = [threading.Thread(target=one) for _ in range(3)]
    for t in builds:
        t.start()
    for t in builds:
        t.join()
    assert not errors
    built = {p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*.html")}
    assert {f"page{n}/index.html" for n in range(40)} <= built


def test_work_folders_of_a_stopped_build_are_removed(tmp_path):
    """A build killed half-way leaves its work folder inside the site; the next build, holding
    the lock (so no build is using it), removes it."""
    site = tmp_path / "site"
    (site / ".kpi-building-999999" / "site").mkdir(parents=True)
    (site / MARKER).write_text("", encoding="utf-8")

    def make(into: Path) -> None:
        into.mkdir()
        (into / "index.html").write_text("")

    build_into(site, make)
    assert sorted(p.name for p in site.iterdir()) == [MARKER, "index.html"]


def test_a_work_folder_still_being_written_does_not_stop_the_next_build(tmp_path, monkeypatch):
    """A build killed with -9 leaves its MkDocs running, still writing into the work folder, so
    removing that folder fails ("Directory not empty"). The next build goes on without it."""
    import shutil

    site = tmp_path / "site"
    busy = site / ".kpi-building-999999"
    (busy / "site").mkdir(parents=True)
    (site / MARKER).write_text("", encoding="utf-8")
    real = shutil.rmtree

    def rmtree(path, ignore_errors=False, **kw):  # the orphan writes a file as the folder goes
        if Path(path) == busy:
            if not ignore_errors:
                raise OSError(39, "Directory not empty", str(path))
            return None
        return real(path, ignore_errors=ignore_errors, **kw)

    monkeypatch.setattr(shutil, "rmtree", rmtree)

    def make(into: Path) -> None:
        into.mkdir()
        (into / "index.html").write_text("")

    build_into(site, make)
    assert (site / "index.html").exists()
