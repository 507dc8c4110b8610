"""Images kept with their article for the reading pane (or why one was refused)."""

from __future__ import annotations

from dataclasses import dataclass

from tuireader.store.base import StoreBase
from tuireader.store.db import to_db_time


@dataclass(frozen=True, slots=True)
class StoredImage:
    url: str
    data: bytes | None
    format: str | None
    width: int | None
    height: int | None
    error: str | None


class ImagesMixin(StoreBase):
    def stored_images(self, article_id: int) -> dict[str, StoredImage]:
        with self.db.read() as conn:
            rows = conn.execute(
                """SELECT url, data, format, width, height, error FROM article_images
                   WHERE article_id = ?""",
                (article_id,),
            ).fetchall()
        return {row[0]: StoredImage(*row) for row in rows}

    def save_image(
        self,
        article_id: int,
        url: str,
        *,
        data: bytes | None,
        format: str | None,
        width: int | None,
        height: int | None,
        error: str | None,
        bytes_downloaded: int,
    ) -> None:
        with self.db.write() as conn:
            conn.execute(
                """INSERT OR REPLACE INTO article_images (article_id, url, fetched_at, format,
                   width, height, data, error, bytes_downloaded)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    article_id,
                    url,
                    to_db_time(self.now()),
                    format,
                    width,
                    height,
                    data,
                    error,
                    bytes_downloaded,
                ),
            )

    def set_data_saver(self, feed_id: int, on: bool) -> None:
        with self.db.write() as conn:
            conn.execute("UPDATE feeds SET data_saver = ? WHERE id = ?", (int(on), feed_id))

    def data_saver(self, feed_id: int) -> bool:
        with self.db.read() as conn:
            row = conn.execute("SELECT data_saver FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return bool(row and row[0])
