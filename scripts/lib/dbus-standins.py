#!/usr/bin/python3
"""Stand-ins for the desktop's notification service and tray host, on a private D-Bus session.

    /usr/bin/python3 scripts/lib/dbus-standins.py LOG_FILE   (Debian's python, with its packages)

Owns `org.freedesktop.Notifications` (the Desktop Notifications spec) and
`org.kde.StatusNotifierWatcher` (what tray icons register with), and writes one JSON line per
thing the app did to LOG_FILE: {"event": "notify", "id", "app_name", "summary", "body",
"actions"}, {"event": "tray", "service", "sender"}. A test "clicks" a notification with

    dbus-send --session --dest=org.freedesktop.Notifications --type=method_call \
        /org/freedesktop/Notifications org.icims_namely.Standin.Click uint32:ID

which sends the spec's ActionInvoked(ID, "default") signal, as a desktop does on a click; and
clicks the tray icon's menu entries (through the item's com.canonical.dbusmenu) with

    dbus-send --session --print-reply --dest=org.kde.StatusNotifierWatcher \
        /StatusNotifierWatcher org.icims_namely.Standin.ClickMenu string:"Pause schedules"

(`MenuLabels` lists them).
Writes {"event": "ready"} once both names are owned. Needs python3-dbus and python3-gi.
"""

import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NOTIFY_IFACE = "org.freedesktop.Notifications"
WATCHER_IFACE = "org.kde.StatusNotifierWatcher"
PROPS_IFACE = "org.freedesktop.DBus.Properties"

LOG = open(sys.argv[1], "a", buffering=1, encoding="utf-8")


def log(**event):
    LOG.write(json.dumps(event) + "\n")


class Notifications(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, "/org/freedesktop/Notifications")
        self.next_id = 1

    @dbus.service.method(NOTIFY_IFACE, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["actions", "body"]

    @dbus.service.method(NOTIFY_IFACE, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("icims-namely-standin", "icims-namely", "1.0", "1.2")

    @dbus.service.method(NOTIFY_IFACE, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app_name, replaces_id, icon, summary, body, actions, hints, timeout):
        nid = int(replaces_id) or self.next_id
        self.next_id = max(self.next_id, nid) + 1
        log(event="notify", id=nid, app_name=str(app_name), summary=str(summary),
            body=str(body), actions=[str(a) for a in actions], icon=str(icon))
        return dbus.UInt32(nid)

    @dbus.service.method(NOTIFY_IFACE, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        self.NotificationClosed(nid, dbus.UInt32(3))

    @dbus.service.signal(NOTIFY_IFACE, signature="uu")
    def NotificationClosed(self, nid, reason):
        pass

    @dbus.service.signal(NOTIFY_IFACE, signature="us")
    def ActionInvoked(self, nid, action):
        pass

    @dbus.service.method("org.icims_namely.Standin", in_signature="u", out_signature="")
    def Click(self, nid):
        log(event="click", id=int(nid))
        self.ActionInvoked(dbus.UInt32(nid), "default")


class Watcher(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, "/StatusNotifierWatcher")
        self.bus = bus
        self.items = []
        # (bus name, object path) of the newest item, to reach its menu.
        self.newest = None

    @dbus.service.method(WATCHER_IFACE, in_signature="s", out_signature="", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        service = str(service)
        self.items.append(service)
        # An item registers a bus name, or an object path on the caller's connection.
        self.newest = (str(sender), service) if service.startswith("/") else (service, "/StatusNotifierItem")
        log(event="tray", service=service, sender=str(sender))
        self.StatusNotifierItemRegistered(service)

    @dbus.service.method("org.icims_namely.Standin", in_signature="s", out_signature="as")
    def MenuLabels(self, _unused):
        return [label for _, label in self.menu_items()]

    @dbus.service.method("org.icims_namely.Standin", in_signature="s", out_signature="")
    def ClickMenu(self, wanted):
        """Clicks the newest tray item's menu entry labelled `wanted`, as a tray host does."""
        for item_id, label in self.menu_items():
            if label == wanted:
                name, _ = self.newest
                menu = self.bus.get_object(name, self.menu_path())
                menu.Event(dbus.Int32(item_id), "clicked", dbus.String("", variant_level=1),
                           dbus.UInt32(0), dbus_interface="com.canonical.dbusmenu")
                log(event="menu-click", label=wanted)
                return
        raise dbus.exceptions.DBusException("no tray menu entry labelled %r" % wanted)

    def menu_path(self):
        name, path = self.newest
        item = self.bus.get_object(name, path)
        return str(item.Get("org.kde.StatusNotifierItem", "Menu", dbus_interface=PROPS_IFACE))

    def menu_items(self):
        if self.newest is None:
            raise dbus.exceptions.DBusException("no tray item registered")
        name, _ = self.newest
        menu = self.bus.get_object(name, self.menu_path())
        _, layout = menu.GetLayout(dbus.Int32(0), dbus.Int32(-1), dbus.Array([], signature="s"),
                                   dbus_interface="com.canonical.dbusmenu")
        out = []

        def walk(node):
            item_id, props, children = node
            if "label" in props:
                out.append((int(item_id), str(props["label"]).replace("_", "")))
            for child in children:
                walk(child)

        walk(layout)
        return out

    @dbus.service.method(WATCHER_IFACE, in_signature="s", out_signature="")
    def RegisterStatusNotifierHost(self, service):
        pass

    @dbus.service.signal(WATCHER_IFACE, signature="s")
    def StatusNotifierItemRegistered(self, service):
        pass

    @dbus.service.signal(WATCHER_IFACE, signature="")
    def StatusNotifierHostRegistered(self):
        pass

    def props(self):
        return {
            "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
            "IsStatusNotifierHostRegistered": dbus.Boolean(True),
            "ProtocolVersion": dbus.Int32(0),
        }

    @dbus.service.method(PROPS_IFACE, in_signature="ss", out_signature="v")
    def Get(self, iface, name):
        return self.props()[str(name)]

    @dbus.service.method(PROPS_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        return self.props()


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    keep = [
        dbus.service.BusName(NOTIFY_IFACE, bus, do_not_queue=True),
        dbus.service.BusName(WATCHER_IFACE, bus, do_not_queue=True),
        Notifications(bus),
        Watcher(bus),
    ]
    log(event="ready")
    GLib.MainLoop().run()
    del keep


if __name__ == "__main__":
    main()
