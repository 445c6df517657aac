#!/usr/bin/python3
"""Asks an X11 window to close, as a window manager's close button does.

    /usr/bin/python3 scripts/lib/x11-close.py TITLE

Finds the top-level windows titled TITLE (WM_NAME / _NET_WM_NAME) on $DISPLAY and sends each
the ICCCM `WM_DELETE_WINDOW` client message. The application decides what closing means (the
app may hide to the tray). Works without a window manager (Xvfb), through libX11 alone.
Exit code 0 when at least one window was asked, 1 when none has that title.
"""

import ctypes
import ctypes.util
import sys

x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")

Window = ctypes.c_ulong
Atom = ctypes.c_ulong


class XClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", Window),
        ("message_type", Atom),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", XClientMessageEvent), ("pad", ctypes.c_long * 24)]


x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = Window
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XInternAtom.restype = Atom
x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x11.XQueryTree.argtypes = [
    ctypes.c_void_p, Window, ctypes.POINTER(Window), ctypes.POINTER(Window),
    ctypes.POINTER(ctypes.POINTER(Window)), ctypes.POINTER(ctypes.c_uint),
]
x11.XGetWindowProperty.argtypes = [
    ctypes.c_void_p, Window, Atom, ctypes.c_long, ctypes.c_long, ctypes.c_int, Atom,
    ctypes.POINTER(Atom), ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_ulong),
    ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p),
]
x11.XSendEvent.argtypes = [ctypes.c_void_p, Window, ctypes.c_int, ctypes.c_long, ctypes.POINTER(XEvent)]
x11.XFlush.argtypes = [ctypes.c_void_p]
x11.XFree.argtypes = [ctypes.c_void_p]

CLIENT_MESSAGE = 33
ANY_PROPERTY_TYPE = 0


def title(display, window, atom):
    kind, fmt = Atom(), ctypes.c_int()
    count, after = ctypes.c_ulong(), ctypes.c_ulong()
    data = ctypes.c_void_p()
    status = x11.XGetWindowProperty(
        display, window, atom, 0, 1024, 0, ANY_PROPERTY_TYPE,
        ctypes.byref(kind), ctypes.byref(fmt), ctypes.byref(count), ctypes.byref(after),
        ctypes.byref(data),
    )
    if status != 0 or not data.value:
        return None
    text = ctypes.string_at(data.value, count.value).decode("utf-8", "replace")
    x11.XFree(data)
    return text


def windows(display, root):
    out = []
    parent, top = Window(), Window()
    children = ctypes.POINTER(Window)()
    n = ctypes.c_uint()
    if x11.XQueryTree(display, root, ctypes.byref(top), ctypes.byref(parent), ctypes.byref(children), ctypes.byref(n)):
        for i in range(n.value):
            child = children[i]
            out.append(child)
            out.extend(windows(display, child))
        if children:
            x11.XFree(children)
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    wanted = sys.argv[1]
    display = x11.XOpenDisplay(None)
    if not display:
        print("x11-close: cannot open the display (is DISPLAY set?)", file=sys.stderr)
        return 2
    root = x11.XDefaultRootWindow(display)
    names = [x11.XInternAtom(display, b"_NET_WM_NAME", 0), x11.XInternAtom(display, b"WM_NAME", 0)]
    protocols = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
    delete = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    asked = 0
    for window in windows(display, root):
        if not any(title(display, window, atom) == wanted for atom in names):
            continue
        event = XEvent()
        event.xclient.type = CLIENT_MESSAGE
        event.xclient.window = window
        event.xclient.message_type = protocols
        event.xclient.format = 32
        event.xclient.data[0] = delete
        event.xclient.data[1] = 0  # CurrentTime
        x11.XSendEvent(display, window, 0, 0, ctypes.byref(event))
        asked += 1
    x11.XFlush(display)
    print(f"x11-close: asked {asked} window(s) titled {wanted!r} to close", file=sys.stderr)
    return 0 if asked else 1


if __name__ == "__main__":
    sys.exit(main())
