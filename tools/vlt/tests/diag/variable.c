// expect: error: 'vlt' attribute applies only to functions
#include <nvemu/vlt.h>
vlt int counter;
