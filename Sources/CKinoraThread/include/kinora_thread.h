#ifndef KINORA_THREAD_H
#define KINORA_THREAD_H

/* Sets the calling thread's niceness (Linux schedules threads, so setpriority on the thread's
 * id changes that thread alone). Returns 0, or -1 with errno. Swift cannot call gettid() or
 * syscall() from Glibc itself. */
int kinora_set_thread_niceness(int niceness);

/* Moves the calling thread to SCHED_IDLE: it runs only on CPU time no other thread wants, and
 * a waking normal thread preempts it at once. A niced thread, by contrast, may keep the CPU
 * for the rest of its slice (milliseconds) after a request's thread wakes. No privilege is
 * needed to lower a thread's policy (raising it back would need one). Returns 0, or -1 with
 * errno. */
int kinora_set_thread_idle_policy(void);

#endif
