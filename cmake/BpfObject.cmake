# SPDX-License-Identifier: GPL-2.0
# bpf_object(NAME SOURCE): compile SOURCE with clang -target bpf into NAME.bpf.o and generate
# NAME.skel.h (struct NAME_bpf, NAME_bpf__open()...) with bpftool. A DEPFILE makes header edits rebuild both. The target
# NAME_skel is an INTERFACE library carrying the skeleton's include directory.

find_program(BPF_CLANG NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

# Under -target bpf clang drops the host's system include dirs (asm/ lives in the multiarch
# one); hand them back with -idirafter, after our own.
execute_process(COMMAND ${BPF_CLANG} -v -E -
	INPUT_FILE /dev/null OUTPUT_QUIET ERROR_VARIABLE _clang_v)
string(REGEX MATCH "#include <...> search starts here:\n(.*)\nEnd of search list" _m "${_clang_v}")
string(REPLACE "\n" ";" _dirs "${CMAKE_MATCH_1}")
set(BPF_SYS_INCLUDES "")
foreach(d IN LISTS _dirs)
	string(STRIP "${d}" d)
	if(d)
		list(APPEND BPF_SYS_INCLUDES -idirafter ${d})
	endif()
endforeach()

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|amd64")
	set(BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
	set(BPF_ARCH arm64)
else()
	set(BPF_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

function(bpf_object name src)
	set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
	set(skel ${CMAKE_CURRENT_BINARY_DIR}/skel/${name}.skel.h)
	set(dep ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.d)
	get_filename_component(abs_src ${src} ABSOLUTE)
	add_custom_command(OUTPUT ${obj}
		COMMAND ${BPF_CLANG} -target bpf -O2 -g -Wall -Werror -D__TARGET_ARCH_${BPF_ARCH}
			-I${PROJECT_SOURCE_DIR} ${BPF_SYS_INCLUDES}
			-MD -MF ${dep} -MT ${obj}
			-c ${abs_src} -o ${obj}
		DEPENDS ${abs_src}
		DEPFILE ${dep}
		COMMENT "BPF ${name}.bpf.o"
		VERBATIM)
	add_custom_command(OUTPUT ${skel}
		COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/skel
		COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name}_bpf > ${skel}
		DEPENDS ${obj}
		COMMENT "skeleton ${name}.skel.h"
		VERBATIM)
	add_custom_target(${name}_bpf DEPENDS ${obj} ${skel})
	add_library(${name}_skel INTERFACE)
	target_include_directories(${name}_skel INTERFACE ${CMAKE_CURRENT_BINARY_DIR}/skel)
	add_dependencies(${name}_skel ${name}_bpf)
	set_property(GLOBAL APPEND PROPERTY DSRLAB_BPF_OBJECTS ${obj})
endfunction()
