#define _GNU_SOURCE
#include "kinora_thread.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int kinora_set_thread_niceness(int niceness) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), niceness);
}

int kinora_set_thread_idle_policy(void) {
    struct sched_param param = {0};
    /* pid 0 is the calling thread for sched_setscheduler on Linux. */
    return sched_setscheduler(0, SCHED_IDLE, &param);
}
