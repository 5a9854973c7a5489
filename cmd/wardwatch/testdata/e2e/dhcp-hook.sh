#!/bin/sh
# DHCP client hook of TestHospitalE2E (cmd/wardwatch/e2e_test.go), used
# instead of the system's scripts so that a lease changes nothing but the
# namespace's own interface: no /etc/resolv.conf, no host name, no hooks.
#   udhcpc -s: the event is $1 (deconfig, bound, renew, ...), the lease in
#              $ip, $mask (prefix length), $router.
#   dhclient -sf: the event is $reason (PREINIT, BOUND, ...), the lease in
#              $new_ip_address, $new_subnet_mask, $new_routers.
event="${1:-$reason}"
echo "dhcp-hook: $event ${ip:-$new_ip_address}" >&2
case "$event" in
deconfig | PREINIT)
	ip link set dev "$interface" up
	ip -4 addr flush dev "$interface"
	;;
bound | renew)
	ip addr replace "$ip/$mask" dev "$interface"
	[ -z "$router" ] || ip route replace default via "${router%% *}" dev "$interface"
	;;
BOUND | RENEW | REBIND | REBOOT)
	ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface"
	[ -z "$new_routers" ] || ip route replace default via "${new_routers%% *}" dev "$interface"
	;;
EXPIRE | FAIL | RELEASE | STOP | leasefail | nak)
	ip -4 addr flush dev "$interface"
	;;
esac
exit 0
