const what = process.argv[2];
if (what) require(what);
setInterval(()=>{},1000);
const t=()=>{const f=require('fs').readFileSync('/proc/self/stat','utf8').split(') ')[1].split(' ');return +f[11]+ +f[12];};
setTimeout(()=>{const a=t();setTimeout(()=>{console.log(what,'ticks/15s',t()-a);process.exit(0)},15000)},30000);
