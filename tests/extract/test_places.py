"""Place rules of the extractor (incidents.extract.places), each on the smallest text that shows it."""

from __future__ import annotations

from incidents.extract import places
from incidents.extract.spelling import skeleton


def _names(text: str, countries: list[str]) -> list[str]:
    return [t.gazetteer_name for t in places.towns(text, countries)]


def test_transliterations_share_a_skeleton_but_distinct_towns_do_not():
    assert skeleton("Deir Ezzor") == skeleton("Deir al-Zour") == skeleton("Dayr az Zawr") == skeleton("Deir ez-Zor")
    assert skeleton("Herbanafsa") == skeleton("Harbinafsah")
    assert skeleton("Daraa") != skeleton("Daraya")
    assert skeleton("Hamas") != skeleton("Homs")


def test_a_transliteration_is_found_where_written_as_a_place():
    assert _names("Two SDF fighters killed in Deir al-Zour", ["SYR"]) == ["Deir ez-Zor"]
    assert _names("Clashes in Herbanafsa", ["SYR"]) == ["Ḩarbinafsah"]


def test_a_loose_spelling_is_no_town_outside_a_place_phrase():
    assert _names("Senior officials said", ["IND"]) == []


def test_a_region_name_is_the_region_not_a_namesake_town_in_another_region():
    assert _names("killed in Michoacan", ["MEX"]) == []
    assert _names("gathered in Kabul", ["AFG"]) == ["Kabul"]
    assert _names("an air strike in Sanaa", ["YEM"]) == ["Sanaa"]


def test_the_words_after_a_title_are_a_persons_name():
    assert _names("We give Mrs. La Lime 24 hours", ["HTI", "USA"]) == []


def test_a_foreign_town_is_named_whole():
    assert _names("(Helen Meagher La Lime of the United States)", ["HTI", "USA"]) == []
    assert _names("Russia's Belgorod was hit", ["UKR", "RUS"]) == ["Belgorod"]


def test_a_name_qualifying_an_office_or_a_territory_is_the_region():
    assert _names("the Donetsk regional governor said", ["UKR"]) == []
    assert _names("in the embattled Donetsk territory", ["UKR"]) == []


def test_a_region_named_as_a_border_is_not_where_the_event_is():
    found = places.regions_in("in Michoacan state near the border with Jalisco state", "MEX")
    assert [r.name for r in found] == ["Michoacán de Ocampo"]


def test_a_place_told_by_the_town_it_is_near_is_kept_by_name():
    found = [name for _, _, name in places.unlisted("The explosion occurred in Usterzai, near the town of Kohat.")]
    assert "Usterzai" in found


def test_a_report_naming_no_country_is_placed_by_its_sizeable_towns():
    assert places.countries_of_towns("Casualties in morning raids on Khan Shaykhun city") == ["SYR"]
