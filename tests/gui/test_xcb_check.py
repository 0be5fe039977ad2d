"""The window launcher names the system libraries Qt's xcb plugin lacks, with the apt-get line, and exits 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vggcompare.gui.common import xcb_check

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("ldd") is None,
                                reason="the check runs ldd on Linux")

# Two libraries libqxcb.so loads directly, renamed in the copy to sonames no system has (same length, so the
# ELF string table keeps its layout): ldd then reports them "=> not found".
RENAMED = {b"libxcb-icccm.so.4": b"libxcb-icccm.so.9", b"libxcb-keysyms.so.1": b"libxcb-keysyms.so.8"}


def _real_plugin() -> Path:
    from PySide6.QtCore import QLibraryInfo

    plugin = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / xcb_check.PLUGIN_FILE
    if not plugin.is_file():
        pytest.skip("this PySide6 has no xcb platform plugin")
    return plugin


@pytest.fixture
def broken_plugins(tmp_path) -> Path:
    """A copy of Qt's platforms folder whose libqxcb.so needs two libraries that cannot be found.

    The copy keeps Qt's layout (Qt/plugins/platforms beside a link to Qt/lib), so the plugin's RUNPATH
    ($ORIGIN/../../lib) still finds Qt's own libraries and only the renamed ones are missing.
    """
    real = _real_plugin()
    qt_root = tmp_path / "Qt"
    platforms = qt_root / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (qt_root / "lib").symlink_to(real.parent.parent.parent / "lib")
    data = real.read_bytes()
    for old, new in RENAMED.items():
        assert data.count(old + b"\0") >= 1, f"{old!r} is not among the plugin's needed libraries"
        data = data.replace(old + b"\0", new + b"\0")
    (platforms / xcb_check.PLUGIN_FILE).write_bytes(data)
    return platforms


def test_ldd_finds_every_library_of_the_installed_plugin_here():
    """The untouched plugin resolves on this machine, so the check has nothing to say (skipped where it does not)."""
    plugin = _real_plugin()
    missing = xcb_check.missing_libraries(str(plugin))
    if missing:
        pytest.skip(f"this machine lacks {missing}")
    assert xcb_check.check_xcb_libraries({"DISPLAY": ":0"}, "linux") is None


def test_the_copy_with_renamed_libraries_is_reported_by_ldd_and_mapped_to_packages(broken_plugins):
    missing = xcb_check.missing_libraries(str(broken_plugins / xcb_check.PLUGIN_FILE))
    assert missing == ["libxcb-icccm.so.9", "libxcb-keysyms.so.8"]
    message = xcb_check.check_xcb_libraries(
        {"DISPLAY": ":0", "QT_QPA_PLATFORM_PLUGIN_PATH": str(broken_plugins)}, "linux")
    assert message is not None
    assert "libxcb-icccm.so.9, libxcb-keysyms.so.8" in message
    assert message.endswith("sudo apt-get install libxcb-icccm4 libxcb-keysyms1")


def test_the_launcher_exits_2_with_the_apt_get_line_before_qt_aborts(broken_plugins):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=":97", QT_QPA_PLATFORM_PLUGIN_PATH=str(broken_plugins))
    done = subprocess.run([sys.executable, "-c", "from vggcompare.cli import main; raise SystemExit(main([]))"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the window cannot open")
    assert "libxcb-icccm.so.9" in last and "libxcb-keysyms.so.8" in last
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in last
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("environ, platform, expected", [
    ({"DISPLAY": ":0"}, "linux", True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux", True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "minimal"}, "linux", False),
    ({"QT_QPA_PLATFORM": "wayland;xcb", "WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "linux", False),
    ({}, "linux", False),
    ({"DISPLAY": ":0"}, "darwin", False),
    ({"DISPLAY": ":0"}, "win32", False),
])
def test_the_check_runs_only_when_qt_will_load_xcb(environ, platform, expected):
    assert xcb_check.platform_will_be_xcb(environ, platform) is expected


def test_offscreen_skips_the_check_even_with_a_broken_plugin(broken_plugins):
    environ = {"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen", "QT_QPA_PLATFORM_PLUGIN_PATH": str(broken_plugins)}
    assert xcb_check.check_xcb_libraries(environ, "linux") is None


def test_each_library_of_the_xcb_family_maps_to_its_debian_package():
    assert xcb_check.debian_package("libxcb-cursor.so.0") == "libxcb-cursor0"
    assert xcb_check.debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert xcb_check.debian_package("libEGL.so.1") == "libegl1"
    assert xcb_check.debian_package("libfontconfig.so.1") == "libfontconfig1"
    assert xcb_check.debian_package("libdbus-1.so.3") == "libdbus-1-3"
    assert xcb_check.debian_package("libsomething.so.2") is None


def test_a_library_without_a_known_package_is_named_with_a_way_to_find_it():
    message = xcb_check.missing_libraries_message(["libxcb-shape.so.0", "libQt6XcbQpa.so.6"])
    assert "sudo apt-get install libxcb-shape0" in message
    assert "libQt6XcbQpa.so.6 (apt-file search NAME), or reinstall PySide6" in message
