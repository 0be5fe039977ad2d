"""Before the window opens on X11: the system libraries Qt's xcb platform plugin needs, and the apt-get line for them.

Qt aborts the process ("Could not load the Qt platform plugin xcb") when no platform plugin loads, and its message
names no library. So the launcher asks ``ldd`` about the plugin (``libqxcb.so``) before the ``QApplication`` is made,
and turns every "=> not found" line into a Debian/Ubuntu package name.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from vggcompare.core.errors import VggCompareError

PLUGIN_FILE = "libqxcb.so"

# The Debian 12 / Ubuntu package of each library that libqxcb.so loads (directly or through a library it loads),
# keyed by the library's name without ".so.N", so that another soname version still maps.
DEBIAN_PACKAGES = {
    "libxcb": "libxcb1",
    "libxcb-cursor": "libxcb-cursor0",
    "libxcb-icccm": "libxcb-icccm4",
    "libxcb-image": "libxcb-image0",
    "libxcb-keysyms": "libxcb-keysyms1",
    "libxcb-randr": "libxcb-randr0",
    "libxcb-render": "libxcb-render0",
    "libxcb-render-util": "libxcb-render-util0",
    "libxcb-shape": "libxcb-shape0",
    "libxcb-shm": "libxcb-shm0",
    "libxcb-sync": "libxcb-sync1",
    "libxcb-util": "libxcb-util1",
    "libxcb-xfixes": "libxcb-xfixes0",
    "libxcb-xkb": "libxcb-xkb1",
    "libxcb-xinput": "libxcb-xinput0",
    "libxcb-glx": "libxcb-glx0",
    "libX11": "libx11-6",
    "libX11-xcb": "libx11-xcb1",
    "libXau": "libxau6",
    "libXdmcp": "libxdmcp6",
    "libxkbcommon": "libxkbcommon0",
    "libxkbcommon-x11": "libxkbcommon-x11-0",
    "libEGL": "libegl1",
    "libGL": "libgl1",
    "libGLX": "libglx0",
    "libGLdispatch": "libglvnd0",
    "libOpenGL": "libopengl0",
    "libfontconfig": "libfontconfig1",
    "libfreetype": "libfreetype6",
    "libpng16": "libpng16-16",
    "libexpat": "libexpat1",
    "libbrotlidec": "libbrotli1",
    "libbrotlicommon": "libbrotli1",
    "libdbus-1": "libdbus-1-3",
    "libglib-2.0": "libglib2.0-0",
    "libgthread-2.0": "libglib2.0-0",
    "libz": "zlib1g",
    "libzstd": "libzstd1",
}



class MissingSystemLibraries(VggCompareError):
    """Qt's xcb platform plugin cannot load: system libraries are missing."""


_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")


def platform_will_be_xcb(environ=None, platform: str | None = None) -> bool:
    """True when Qt will try its xcb platform plugin first: Linux, X11, and no other platform asked for."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0].strip() == "xcb"
    if environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE") == "wayland":
        return False  # Qt 6 picks its Wayland plugin in a Wayland session
    return bool(environ.get("DISPLAY"))


def xcb_plugin_path(environ=None) -> str | None:
    """The ``libqxcb.so`` Qt will load: in ``QT_QPA_PLATFORM_PLUGIN_PATH`` when set, else in Qt's plugins folder."""
    environ = os.environ if environ is None else environ
    folder = environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    if not folder:
        from PySide6.QtCore import QLibraryInfo

        folder = os.path.join(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath), "platforms")
    path = os.path.join(folder, PLUGIN_FILE)
    return path if os.path.isfile(path) else None


def missing_libraries(plugin: str) -> list[str]:
    """The libraries ``ldd`` cannot find for ``plugin`` (its "=> not found" lines), in ldd's order; [] without ldd."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    try:
        listing = subprocess.run([ldd, plugin], capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for line in listing.splitlines():
        match = _NOT_FOUND.match(line)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def debian_package(soname: str) -> str | None:
    """The Debian/Ubuntu package that ships ``soname`` (``libxcb-icccm.so.4`` → ``libxcb-icccm4``), if known."""
    return DEBIAN_PACKAGES.get(soname.split(".so")[0])


def missing_libraries_message(missing: list[str]) -> str:
    """One sentence: which libraries are missing and the one apt-get line that installs them."""
    packages = sorted({package for package in map(debian_package, missing) if package})
    unknown = [soname for soname in missing if debian_package(soname) is None]
    text = ("the window cannot open: Qt's xcb platform plugin needs system libraries that are not installed ("
            + ", ".join(missing) + ")")
    if packages:
        text += "; install them with: sudo apt-get install " + " ".join(packages)
    if unknown:
        text += ("; " + ("also find" if packages else "find") + " the package of " + ", ".join(unknown)
                 + " (apt-file search NAME), or reinstall PySide6 if it is one of Qt's own libraries")
    return text


def check_xcb_libraries(environ=None, platform: str | None = None) -> str | None:
    """The message for the user when Qt's xcb plugin would fail to load for missing libraries, else None."""
    if not platform_will_be_xcb(environ, platform):
        return None
    plugin = xcb_plugin_path(environ)
    if plugin is None:
        return None
    missing = missing_libraries(plugin)
    return missing_libraries_message(missing) if missing else None


def require_xcb_libraries() -> None:
    """Raise MissingSystemLibraries when Qt's xcb plugin would fail to load for missing libraries."""
    message = check_xcb_libraries()
    if message:
        raise MissingSystemLibraries(message)
