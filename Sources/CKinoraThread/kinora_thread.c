#define _GNU_SOURCE
#include "kinora_thread.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int kinora_set_thread_niceness(int niceness) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), niceness);
}
