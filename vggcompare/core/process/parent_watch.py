"""A process started for a parent (a new-process run) ends when that parent dies, killed or not.

The parent puts its process id in ``VGGCOMPARE_EXIT_WITH``; the child's :func:`watch_parent` polls, from a daemon
thread, whether its parent is still that process, and exits at once when it is not (Linux and macOS re-parent an
orphan), first removing the folder named in ``VGGCOMPARE_FRESH_FOLDER`` (the parent's temporary folder, which the
dead parent can no longer remove). Without the first variable it does nothing.
"""

from __future__ import annotations

import os
import shutil
import threading
import time

PARENT_ENV = "VGGCOMPARE_EXIT_WITH"
FOLDER_ENV = "VGGCOMPARE_FRESH_FOLDER"
POLL_S = 0.5


def watch_parent() -> bool:
    """Start the watcher if this process was started for a parent; return whether it was."""
    value, folder = os.environ.pop(PARENT_ENV, ""), os.environ.pop(FOLDER_ENV, "")
    if not value.isdigit() or not hasattr(os, "getppid"):
        return False
    parent = int(value)

    def orphaned() -> None:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        os._exit(3)  # the parent is gone: nobody will read the result

    if os.getppid() != parent:
        orphaned()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL_S)
        orphaned()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    return True
