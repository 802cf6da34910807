-- SPDX-License-Identifier: GPL-2.0
-- Wireshark/tshark dissector for GUE, Generic UDP Encapsulation (draft-ietf-intarea-gue),
-- as dsrlab's balancer sends it: UDP to port 6080 (change it under Preferences, Protocols,
-- GUE). Version 1 carries the inner IPv4 or IPv6 packet right after the UDP header (the
-- first nibble of the payload is the IP version); version 0 has a 4-byte header (C bit,
-- Hlen in 32-bit words, protocol, flags) and Hlen words of extension fields before it.
-- The inner packet is handed to Wireshark's own IP dissectors.
--
--   tshark -X lua_script:contrib/wireshark/gue.lua -r router.eth1.pcap
--   (or copy it into ~/.local/lib/wireshark/plugins/)

local gue = Proto("gue", "Generic UDP Encapsulation")

local f_version = ProtoField.uint8("gue.version", "Version", base.DEC)
local f_control = ProtoField.bool("gue.control", "Control message")
local f_hlen = ProtoField.uint8("gue.hlen", "Extension length (32-bit words)", base.DEC)
local f_proto = ProtoField.uint8("gue.proto", "Protocol / control type", base.DEC)
local f_flags = ProtoField.uint16("gue.flags", "Flags", base.HEX)
local f_ext = ProtoField.bytes("gue.ext", "Extension fields")
gue.fields = { f_version, f_control, f_hlen, f_proto, f_flags, f_ext }

local e_short = ProtoExpert.new("gue.short", "GUE header longer than the datagram",
	expert.group.MALFORMED, expert.severity.ERROR)
local e_version = ProtoExpert.new("gue.unknown_version", "GUE version 2 or 3 is not defined",
	expert.group.MALFORMED, expert.severity.WARN)
gue.experts = { e_short, e_version }

gue.prefs.port = Pref.uint("UDP port", 6080, "UDP destination port of GUE")

local ip = Dissector.get("ip")
local ipv6 = Dissector.get("ipv6")
local data = Dissector.get("data")

-- Hand the inner packet on by its IP version (first nibble), or as data. A malformed inner
-- packet is the inner dissectors' to flag; it does not stop ours.
local function inner(tvb, pinfo, tree, version)
	local d = version == 4 and ip or version == 6 and ipv6 or data
	pcall(Dissector.call, d, tvb, pinfo, tree)
end

function gue.dissector(tvb, pinfo, tree)
	local len = tvb:len()
	if len < 1 then
		return 0
	end
	local b0 = tvb(0, 1):uint()
	local version = math.floor(b0 / 64)
	local t = tree:add(gue, tvb(0, len > 4 and 4 or len))
	pinfo.cols.protocol = "GUE"
	t:add(f_version, tvb(0, 1), version)
	if version == 1 then
		-- direct IP: 01 are the first bits of the IP version field itself (4 or 6)
		t:set_len(0)
		t:append_text(", version 1 (direct IP encapsulation)")
		inner(tvb, pinfo, tree, math.floor(b0 / 16))
		return len
	end
	if version ~= 0 then
		t:add_proto_expert_info(e_version)
		data:call(tvb, pinfo, tree)
		return len
	end
	if len < 4 then
		t:add_proto_expert_info(e_short)
		return len
	end
	local control = math.floor(b0 / 32) % 2 == 1
	local hlen = b0 % 32
	local proto = tvb(1, 1):uint()
	t:add(f_control, tvb(0, 1), control)
	t:add(f_hlen, tvb(0, 1), hlen)
	t:add(f_proto, tvb(1, 1))
	t:add(f_flags, tvb(2, 2))
	local off = 4 + hlen * 4
	if len < off then
		t:add_proto_expert_info(e_short)
		return len
	end
	if hlen > 0 then
		t:add(f_ext, tvb(4, hlen * 4))
	end
	t:set_len(off)
	t:append_text(string.format(", version 0, %s %d", control and "control type" or "protocol",
		proto))
	if off == len then
		return len
	end
	local rest = tvb(off):tvb()
	if control then
		data:call(rest, pinfo, tree)
	elseif proto == 4 then
		inner(rest, pinfo, tree, 4)
	elseif proto == 41 then
		inner(rest, pinfo, tree, 6)
	else
		data:call(rest, pinfo, tree)
	end
	return len
end

local registered = gue.prefs.port
DissectorTable.get("udp.port"):add(registered, gue)

function gue.prefs_changed()
	if registered ~= gue.prefs.port then
		DissectorTable.get("udp.port"):remove(registered, gue)
		registered = gue.prefs.port
		DissectorTable.get("udp.port"):add(registered, gue)
	end
end
