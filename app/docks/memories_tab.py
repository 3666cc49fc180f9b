"""Memories tab: everything a person remembers — browse newest first, or search by words or meaning.

Browsing pages through the memory stream (``QueryMemories`` with an offset);
typing searches the words; with *Semantic* on, the same text ranks memories the
way the person would recall them (relevance, importance, recency) and the score
column appears. While browsing the newest page, the list keeps itself current.

God mode: add a memory, change or pin the selected one, forget the selected ones
(buttons, context menu, Delete key). Each is an edit sent through the undo
history; the list asks again once the engine has made it (``memories_changed``).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.docks.memory_editor import MemoryEditor
from app.docks.memory_model import COLUMNS, LAST, MEMORY_ROLE, SCORE, SORT_ROLE, TEXT, MemoryTableModel
from app.docks.mind_feed import KIND_COLOURS, MUTED, MindFeed, QueryTab
from engine.contracts import (
    Command,
    CommandRejected,
    EditApplied,
    Event,
    MemoriesResult,
    MemoryView,
    QueryMemories,
)
from engine.contracts.edits import DeleteMemories, Edit, EditMemory

SendEdit = Callable[[Edit], int | None]

PAGE_SIZE = 50
SEARCH_LIMIT = 100  # word searches: the first hundred matches
SEMANTIC_LIMIT = 30  # ranked searches: the best thirty (the engine pre-selects fifty by meaning)


class MemoriesTab(QueryTab):
    title = "Memories"
    auto_refresh = True

    def __init__(self, feed: MindFeed, parent: QWidget | None = None):
        super().__init__(feed, parent)
        self.page = 0
        self.page_size = PAGE_SIZE
        self.total = 0
        self.result: MemoriesResult | None = None
        self.send_edit: SendEdit | None = None  # god mode: the undo history's ``send``
        self._saving: int | None = None  # the command id of the form's Save, until the engine answers
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        search_row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("memorySearch")
        self.search.setPlaceholderText("Search their memories…")
        self.search.setClearButtonEnabled(True)
        self.semantic = QCheckBox("Semantic")
        self.semantic.setToolTip("Rank by meaning, importance and recency — the way they would recall it — "
                                 "instead of matching words")
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.semantic)
        layout.addLayout(search_row)
        pager = QHBoxLayout()
        self.count = QLabel("—")
        self.count.setObjectName("memoryCount")
        self.count.setStyleSheet(f"color:{MUTED}")
        self.count.setWordWrap(True)  # a long line must not widen the dock
        self.newer = QToolButton()
        self.newer.setText("‹ Newer")
        self.newer.setToolTip("The previous, more recent page")
        self.older = QToolButton()
        self.older.setText("Older ›")
        self.older.setToolTip("The next page, further back in time")
        pager.addWidget(self.count, 1)
        pager.addWidget(self.newer)
        pager.addWidget(self.older)
        layout.addLayout(pager)

        self.model = MemoryTableModel(lambda tick: self.feed.when(tick, short=True), self.feed.ago, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setObjectName("memoryTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the engine's order until a header is clicked
        self.table.setSortingEnabled(True)
        header.setStretchLastSection(False)
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnHidden(SCORE, True)
        self.table.setStyleSheet("QTableView{background:#fbf8f0;alternate-background-color:#f4eddd;"
                                 "gridline-color:#e4dac4;selection-background-color:#cdb9e6;"
                                 "selection-color:#241b2f}")
        self.detail = QTextBrowser()
        self.detail.setObjectName("memoryDetail")
        self.detail.setOpenLinks(False)
        self.detail.setStyleSheet("QTextBrowser{background:#efe6d2;border:none;border-radius:4px}")
        self.detail.setMinimumHeight(56)
        split = QSplitter(Qt.Orientation.Vertical)
        self.editor = MemoryEditor()
        self.editor.save_requested.connect(self._save_edit)
        self.editor.cancelled.connect(self._close_editor)
        # The form scrolls rather than holding the whole inspector (and the window) to its height.
        self.editor_area = QScrollArea()
        self.editor_area.setWidget(self.editor)
        self.editor_area.setWidgetResizable(True)
        self.editor_area.setFrameShape(QFrame.Shape.NoFrame)
        self.lower_pane = QStackedWidget()
        self.lower_pane.addWidget(self.detail)
        self.lower_pane.addWidget(self.editor_area)
        split.addWidget(self.table)
        split.addWidget(self.lower_pane)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
        layout.addLayout(self._make_actions())

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self._new_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._new_search)
        self.semantic.toggled.connect(lambda _on: self._new_search() if self.text else None)
        self.newer.clicked.connect(lambda: self.go_to_page(self.page - 1))
        self.older.clicked.connect(lambda: self.go_to_page(self.page + 1))
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._show_detail())
        self.table.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_actions())
        self._update_pager()
        self._update_actions()

    def _make_actions(self) -> QHBoxLayout:
        """Add / Edit / Pin / Forget, as buttons under the list and in its context menu."""
        self.add_action = QAction("Add memory…", self)
        self.add_action.setToolTip("Give them a memory of your own making")
        self.add_action.triggered.connect(self.start_add)
        self.edit_action = QAction("Edit…", self)
        self.edit_action.setToolTip("Change the selected memory's words, importance or pin")
        self.edit_action.triggered.connect(self.start_edit)
        self.pin_action = QAction("Pin", self)
        self.pin_action.setToolTip("Pinned memories are core memories: time never fades them")
        self.pin_action.triggered.connect(self.toggle_pin)
        self.delete_action = QAction("Forget", self)
        self.delete_action.setToolTip("Delete the selected memories (Del)")
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self.delete_selected)
        self.table.addAction(self.delete_action)  # Del works while the list has the focus
        row = QHBoxLayout()
        self.action_buttons: dict[str, QToolButton] = {}
        for key, action in (("add", self.add_action), ("edit", self.edit_action), ("pin", self.pin_action),
                            ("delete", self.delete_action)):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setObjectName(f"memory_{key}")
            row.addWidget(button)
            self.action_buttons[key] = button
        row.addStretch(1)
        return row

    def set_editor(self, send: SendEdit | None) -> None:
        self.send_edit = send
        self._update_actions()

    # -- asking ------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.search.text().strip()

    def make_query(self) -> Command:
        if self.text and self.semantic.isChecked():
            return QueryMemories(agent=self.agent, text=self.text, semantic=True, limit=SEMANTIC_LIMIT)
        if self.text:
            return QueryMemories(agent=self.agent, text=self.text, limit=SEARCH_LIMIT)
        return QueryMemories(agent=self.agent, limit=self.page_size, offset=self.page * self.page_size)

    def wants_refresh(self) -> bool:
        # Only the newest page refreshes itself, and only while the user is not scrolled down reading.
        return not self.text and self.page == 0 and self.table.verticalScrollBar().value() == 0

    def _new_search(self) -> None:
        self._debounce.stop()
        self.page = 0
        self.poke()

    def go_to_page(self, page: int) -> None:
        if page < 0 or (page > 0 and page * self.page_size >= self.total):
            return
        self.page = page
        self.poke()

    # -- showing -----------------------------------------------------------------------------

    def clear(self) -> None:
        self._close_editor()
        self.result = None
        self.total = 0
        self.page = 0
        self.model.set_rows([], False)
        self.count.setText("Asking…")
        self.detail.clear()
        self._update_pager()
        self._update_actions()

    def show_refusal(self, reason: str) -> None:
        self.count.setText(f"Could not look: {reason}")

    def show_answer(self, event: Event) -> None:
        assert isinstance(event, MemoriesResult)
        self.feed.remember(event)
        current = self.selected_memory()
        chosen = [m.id for m in self.selected_memories()]
        self.result = event
        self.total = event.total
        self.model.set_rows(event.memories, event.semantic)
        self.table.setColumnHidden(SCORE, not event.semantic)
        self.table.setColumnHidden(LAST, event.semantic)  # ranked: the score matters, "recalled" is in the detail
        self.count.setText(self._count_text(event))
        self._update_pager()
        self._reselect(chosen, current.id if current is not None else -1)
        self._show_detail()
        self._update_actions()

    def _count_text(self, r: MemoriesResult) -> str:
        total = f"{r.total:,} memor{'y' if r.total == 1 else 'ies'}"
        shown = len(r.memories)
        if r.semantic and r.query:
            return f"Best {shown} for “{r.query}” by relevance, importance and recency · {total}"
        if r.query:
            more = "+" if shown >= SEARCH_LIMIT else ""
            return f"{shown}{more} found for “{r.query}” · {total}"
        if not shown:
            return f"{total} — nothing remembered yet" if not r.total else total
        first = self.page * self.page_size + 1
        return f"{total} · {first}–{first + shown - 1}, newest first"

    def _update_pager(self) -> None:
        browsing = not self.text
        self.newer.setEnabled(browsing and self.page > 0)
        self.older.setEnabled(browsing and (self.page + 1) * self.page_size < self.total)

    def selected_memory(self) -> MemoryView | None:
        index = self.table.currentIndex()
        return self.proxy.data(index, MEMORY_ROLE) if index.isValid() else None

    def selected_memories(self) -> list[MemoryView]:
        rows = self.table.selectionModel().selectedRows(TEXT)
        return [m for m in (self.proxy.data(index, MEMORY_ROLE) for index in rows) if m is not None]

    def _reselect(self, ids: list[int], current: int) -> None:
        """Select these memories again after a refresh (those still shown), keeping ``current`` current."""
        selection = QItemSelection()
        for memory_id in ids:
            row = self.model.row_of(memory_id)
            if row >= 0:
                index = self.proxy.mapFromSource(self.model.index(row, TEXT))
                selection.select(index, index)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        model = self.table.selectionModel()
        model.select(selection, flags)
        row = self.model.row_of(current)
        if row >= 0:
            model.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, TEXT)),
                                  QItemSelectionModel.SelectionFlag.NoUpdate)

    def select_memory(self, memory_id: int) -> bool:
        row = self.model.row_of(memory_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, TEXT))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def visible_texts(self) -> list[str]:
        """The memory texts in the order shown (for tests and screenshots)."""
        return [self.proxy.index(r, TEXT).data(MEMORY_ROLE).text for r in range(self.proxy.rowCount())]

    def _show_detail(self) -> None:
        m = self.selected_memory()
        if m is None:
            self.detail.setHtml(f"<span style='color:{MUTED}'>Select a memory to read it in full.</span>")
            return
        colour = KIND_COLOURS.get(m.kind, MUTED)
        pinned = " · <b>★ pinned</b> (never fades)" if m.pinned else ""
        score = f" · score {m.score:.2f}" if self.model.show_score else ""
        cites = f" · rests on {len(m.evidence)} memories" if m.evidence else ""
        self.detail.setHtml(
            f"<span style='color:{colour};font-weight:bold'>{m.kind}</span>"
            f"<span style='color:{MUTED}'> · {self.feed.when(m.tick)} · importance {m.importance:g}"
            f" · last recalled {self.feed.when(m.last_access)}{score}{cites}{pinned}</span><br>{html.escape(m.text)}")


    # -- god mode ------------------------------------------------------------------------------

    def _update_actions(self) -> None:
        can = self.send_edit is not None and self.agent >= 0
        chosen = self.selected_memories()
        self.add_action.setEnabled(can)
        self.edit_action.setEnabled(can and len(chosen) == 1)
        self.delete_action.setEnabled(can and bool(chosen))
        self.delete_action.setText("Forget" if len(chosen) < 2 else f"Forget {len(chosen)}")
        unpin = bool(chosen) and all(m.pinned for m in chosen)
        self.pin_action.setEnabled(can and bool(chosen))
        self.pin_action.setText("Unpin" if unpin else "Pin")

    def _send(self, edit: Edit) -> None:
        if self.send_edit is not None:
            self.send_edit(edit)

    def start_add(self) -> None:
        if not self.add_action.isEnabled():
            return
        self.editor.start_new(self.agent, self.feed.first_name(self.agent))
        self.lower_pane.setCurrentWidget(self.editor_area)

    def start_edit(self) -> None:
        chosen = self.selected_memories()
        if not self.edit_action.isEnabled() or len(chosen) != 1:
            return
        self.editor.start_edit(self.agent, chosen[0])
        self.lower_pane.setCurrentWidget(self.editor_area)

    def editing(self) -> bool:
        return self.lower_pane.currentWidget() is self.editor_area

    def _save_edit(self, edit: Edit) -> None:
        """The form stays open until the engine answers: a refusal keeps what was typed."""
        if self.send_edit is None:
            return
        self._saving = self.send_edit(edit)
        if self._saving is None:  # no world to send it to
            self._close_editor()
        else:
            self.editor.save_button.setEnabled(False)

    def saved(self, events: list[Event]) -> None:
        """Answers to the form's Save: applied closes it, refused says why in it."""
        for event in events:
            if self._saving is None or getattr(event, "command_id", None) != self._saving:
                continue
            if isinstance(event, EditApplied):
                self._saving = None
                self._close_editor()
            elif isinstance(event, CommandRejected):
                self._saving = None
                self.editor.refused(event.reason)

    def _close_editor(self) -> None:
        self._saving = None
        if self.editing():
            self.lower_pane.setCurrentWidget(self.detail)
            self.table.setFocus()

    def toggle_pin(self) -> None:
        chosen = self.selected_memories()
        if not self.pin_action.isEnabled() or not chosen:
            return
        pin = not all(m.pinned for m in chosen)
        for m in chosen:  # one undo step each: pinning is per memory in the engine
            if m.pinned != pin:
                self._send(EditMemory(memory_id=m.id, pinned=pin))

    def delete_selected(self) -> None:
        chosen = self.selected_memories()
        if self.delete_action.isEnabled() and chosen:
            self._send(DeleteMemories(memory_ids=tuple(m.id for m in chosen)))

    def memories_changed(self) -> None:
        """An edit changed someone's memories: ask again (now if shown), whatever page is open."""
        self.poke()

    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        for action in (self.add_action, self.edit_action, self.pin_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        return menu

    def _context_menu(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            self.table.selectRow(index.row())  # a right click on an unselected row acts on that row
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.exec(self.table.viewport().mapToGlobal(point))
