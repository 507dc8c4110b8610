"""The Import dialog completes paths with tab (issue 15, point 9)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input
from uihelpers import AppFactory, settle

from tuireader.core import Reader
from tuireader.ui.screens.prompts import FormScreen, complete_path


def test_complete_path_goes_as_far_as_the_names_agree(tmp_path: Path) -> None:
    (tmp_path / "subscriptions.opml").write_text("x")
    (tmp_path / "subs-old.opml").write_text("x")
    (tmp_path / "folder").mkdir()
    assert complete_path(f"{tmp_path}/sub") == f"{tmp_path}/subs"
    assert complete_path(f"{tmp_path}/subsc") == f"{tmp_path}/subscriptions.opml"
    assert complete_path(f"{tmp_path}/fo") == f"{tmp_path}/folder/"
    assert complete_path(f"{tmp_path}/nothing") == f"{tmp_path}/nothing"


async def test_tab_in_the_import_dialog_completes(
    tmp_path: Path, reader: Reader, app_factory: AppFactory
) -> None:
    (tmp_path / "subscriptions.opml").write_text("x")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        field = app.screen.query_one("#field-path", Input)
        field.value = f"{tmp_path}/subsc"
        await pilot.press("tab")
        assert field.value == f"{tmp_path}/subscriptions.opml"
        assert field.has_focus
