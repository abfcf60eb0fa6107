"""generator/catalogue/registry.py: the areas and organisations that may send returns."""

from __future__ import annotations

import pytest

from generator.catalogue.registry import RegistryError, load_registry


def test_registry_codes_that_would_share_a_store_folder_are_refused(tmp_path, capsys):
    """Issue 19: `PS04-EMP` and `PS04 EMP` became one store folder and one organisation's return
    overwrote the other's; the registry now refuses to load, naming both (and a code given
    twice, which the reader kept only the last of)."""
    from generator.catalogue.registry import RegistryError, load_registry
    from generator.cli import main

    head = "area_code,area_name,organisation_code,organisation_name,role,synthetic\n"
    rows = [
        "PS04,Area,PS04-EMP,Employment service,provider,yes\n",
        "PS04,Area,PS04 EMP,Another service,provider,yes\n",
        "PS05,Area five,PS05-emp,Lower case,provider,yes\n",
        "PS05,Area five,PS05-EMP,Upper case,provider,yes\n",
        "PS06,Area six,PS06-EMP,Twice,provider,yes\n",
        "PS06,Area six,PS06-EMP,Twice again,provider,yes\n",
    ]
    reg = tmp_path / "organisations.csv"
    reg.write_text(head + "".join(rows), encoding="utf-8")
    with pytest.raises(RegistryError) as e:
        load_registry(reg)
    text = str(e.value)
    assert "'PS04-EMP' and 'PS04 EMP' would share the store's folder 'PS04-EMP'" in text
    assert "'PS05-emp' and 'PS05-EMP' would share" in text
    assert "line 7: PS06-EMP is also on line 6" in text
    assert main(["validate", "--registry", str(reg), str(tmp_path / "none.xlsx")]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("kpi validate: ")
        and "would share the store's folder" in err
        and "Traceback" not in err
    )
    reg.write_text(head + rows[0] + rows[2], encoding="utf-8")
    assert set(load_registry(reg).organisations) == {"PS04-EMP", "PS05-emp"}


def test_area_codes_that_would_share_a_site_page_are_refused(tmp_path):
    """`PS_01` and `PS-01` are two store folders but one site page (ps-01): one area's page was
    written over the other's and its links led to the wrong area. The registry refuses them."""
    from generator.catalogue.registry import RegistryError, load_registry

    head = "area_code,area_name,organisation_code,organisation_name,role,synthetic\n"
    reg = tmp_path / "organisations.csv"
    reg.write_text(
        head + "PS_01,One,PS_01-EMP,Service one,provider,yes\nPS-01,Two,PS-01-EMP,Service two,provider,yes\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match="'PS_01' and 'PS-01' would share the site's page 'ps-01'"):
        load_registry(reg)
    reg.write_text(head + "INDEX,One,IDX-EMP,Service,provider,yes\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="'INDEX' would take the site's page of the list of areas"):
        load_registry(reg)


def test_an_area_may_have_other_names_given_alike_on_each_of_its_lines(tmp_path):
    """Issue 22: `area_other_names` (a county, a city, a former name; separated by ';') lets
    the site's search find an area by them. An area's lines may not disagree about them; an
    older registry without the column loads as before."""
    head = "area_code,area_name,organisation_code,organisation_name,role,area_other_names\n"
    reg = tmp_path / "organisations.csv"
    reg.write_text(
        head
        + "PS03,Gloucester,PS03-COM,Commissioners,commissioner,Gloucestershire; ; Cheltenham\n"
        + "PS03,Gloucester,PS03-EMP,Employment service,provider,\n"
        + "PS04,Leeds,PS04-EMP,Employment service,provider,\n",
        encoding="utf-8",
    )
    assert load_registry(reg).other_names == {"PS03": ("Gloucestershire", "Cheltenham")}
    reg.write_text(
        head
        + "PS03,Gloucester,PS03-COM,Commissioners,commissioner,Gloucestershire\n"
        + "PS03,Gloucester,PS03-EMP,Employment service,provider,Bristol\n",
        encoding="utf-8",
    )
    with pytest.raises(
        RegistryError, match="line 3: area PS03's other names are 'Bristol' here and 'Gloucestershire'"
    ):
        load_registry(reg)
    reg.write_text(head.replace(",area_other_names", "") + "PS04,Leeds,PS04-EMP,Service,provider\n")
    assert load_registry(reg).other_names == {}
