#ifndef KINORA_THREAD_H
#define KINORA_THREAD_H

/* Sets the calling thread's niceness (Linux schedules threads, so setpriority on the thread's
 * id changes that thread alone). Returns 0, or -1 with errno. Swift cannot call gettid() or
 * syscall() from Glibc itself. */
int kinora_set_thread_niceness(int niceness);

#endif
